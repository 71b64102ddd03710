// docs/protocol.md is the contract: every message type the server sends is documented there.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "api/ws_handler.hpp"

TEST(protocol_doc, every_message_type_the_server_sends_is_documented) {
  std::ifstream in(std::string(SAMLING_SOURCE_DIR) + "/docs/protocol.md");
  std::stringstream doc;
  doc << in.rdbuf();
  ASSERT_FALSE(doc.str().empty());
  for (auto& type : samling::api::server_message_types())
    EXPECT_NE(doc.str().find("{\"type\": \"" + type + "\""), std::string::npos)
        << "no example of a \"" << type << "\" frame in docs/protocol.md";
}
