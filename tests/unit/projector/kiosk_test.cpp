// Kiosk link ids and the URLs the projector hands out.
#include "projector/kiosk.hpp"

#include <set>

#include <gtest/gtest.h>

namespace samling::projector {
namespace {

TEST(kiosk, ids_are_32_hex_characters_and_differ) {
  std::set<std::string> seen;
  for (int i = 0; i < 200; ++i) {
    auto id = new_kiosk_id();
    EXPECT_TRUE(valid_kiosk_id(id)) << id;
    EXPECT_TRUE(seen.insert(id).second) << "repeated id " << id;
  }
}

TEST(kiosk, id_form_is_checked) {
  EXPECT_TRUE(valid_kiosk_id("0123456789abcdef0123456789abcdef"));
  EXPECT_FALSE(valid_kiosk_id("0123456789ABCDEF0123456789abcdef"));  // upper case
  EXPECT_FALSE(valid_kiosk_id("0123456789abcdef0123456789abcde"));   // 31
  EXPECT_FALSE(valid_kiosk_id("0123456789abcdef0123456789abcdef0"));  // 33
  EXPECT_FALSE(valid_kiosk_id("0123456789abcdef0123456789abcdeg"));
  EXPECT_FALSE(valid_kiosk_id("../../../../etc/passwd/abcdef0123"));
  EXPECT_FALSE(valid_kiosk_id(""));
}

TEST(kiosk, user_id_shows_only_the_first_8_characters) {
  EXPECT_EQ(kiosk_user_id("0123456789abcdef0123456789abcdef"), "kiosk-01234567");
}

TEST(kiosk, urls_join_the_base_without_double_slashes) {
  EXPECT_EQ(qa_url("https://samling.example/", "e-1", "main"), "https://samling.example/#event=e-1&room=main&qa=1");
  EXPECT_EQ(qa_url("http://127.0.0.1:8080", "e", "r"), "http://127.0.0.1:8080/#event=e&room=r&qa=1");
  EXPECT_EQ(projector_url("https://x.example//", "ab"), "https://x.example/#projector=ab");
}

}  // namespace
}  // namespace samling::projector
