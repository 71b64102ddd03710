// srt_refusals: libsrt's refusal lines parsed and classified, and a refusal pinned on the
// listener noted on the same thread, never on another thread's or a forgotten one.
#include "media/srt_refusals.hpp"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace samling::media::srt_refusals {
namespace {

// The lines libsrt 1.5.1 logs (seen with GST_DEBUG=srtlib:6 and ffmpeg callers).
const char* unsecure_line = "@87271357:newConnection: connection rejected due to: INTERNAL REJECTION - ERROR:UNSECURE";
const char* badsecret_line = "@87271356:newConnection: connection rejected due to: INTERNAL REJECTION - ERROR:BADSECRET";

struct recorded {
  std::vector<std::pair<std::string, std::string>> calls;
  std::shared_ptr<listener> make(bool encrypted) {
    auto l = std::make_shared<listener>();
    l->encrypted = encrypted;
    l->refused = [this](const std::string& r, const std::string& d) { calls.emplace_back(r, d); };
    return l;
  }
};

TEST(srt_refusals, the_code_is_read_from_a_refusal_line_only) {
  EXPECT_EQ(refusal_code(unsecure_line), "ERROR:UNSECURE");
  EXPECT_EQ(refusal_code(badsecret_line), "ERROR:BADSECRET");
  EXPECT_EQ(refusal_code("processConnectRequest: rsp(REJECT): 1010 - Incorrect passphrase"), "");
  EXPECT_EQ(refusal_code("KMREQ/rcv: (snd) Rx process failure - BADSECRET"), "");
  EXPECT_EQ(refusal_code("@1:newConnection: connection rejected due to: "), "unknown");
}

TEST(srt_refusals, codes_are_classified_by_the_listener_side) {
  EXPECT_EQ(classify("ERROR:BADSECRET", true), wrong_passphrase);
  EXPECT_EQ(classify("ERROR:UNSECURE", true), no_passphrase);
  EXPECT_EQ(classify("ERROR:UNSECURE", false), unexpected_passphrase);
  EXPECT_EQ(classify("ERROR:VERSION", true), other);
}

TEST(srt_refusals, a_refusal_goes_to_the_listener_noted_on_this_thread_once) {
  recorded a, global;
  auto la = a.make(true);
  auto fallback = [&](const std::string& r, const std::string& d) { global.calls.emplace_back(r, d); };
  note_handshake(la, false);
  EXPECT_TRUE(on_libsrt_log(unsecure_line, fallback));
  ASSERT_EQ(a.calls.size(), 1u);
  EXPECT_EQ(a.calls[0].first, no_passphrase);
  EXPECT_NE(a.calls[0].second.find("ERROR:UNSECURE"), std::string::npos);
  // Consumed: the next line with nothing noted is not pinned on it.
  EXPECT_TRUE(on_libsrt_log(badsecret_line, fallback));
  EXPECT_EQ(a.calls.size(), 1u);
  ASSERT_EQ(global.calls.size(), 1u);
  EXPECT_EQ(global.calls[0].first, wrong_passphrase);
  EXPECT_FALSE(on_libsrt_log("some other libsrt line", fallback));
}

TEST(srt_refusals, a_refusal_the_handler_reported_itself_is_not_counted_again) {
  recorded a, global;
  auto la = a.make(true);
  note_handshake(la, true);
  EXPECT_TRUE(on_libsrt_log("@5:newConnection: connection rejected due to: INTERNAL REJECTION - ERROR:PEER",
                            [&](const std::string& r, const std::string& d) { global.calls.emplace_back(r, d); }));
  EXPECT_TRUE(a.calls.empty());
  EXPECT_TRUE(global.calls.empty());
}

TEST(srt_refusals, another_threads_listener_and_a_stopped_one_are_not_used) {
  recorded a, b, global;
  auto la = a.make(true);
  auto fallback = [&](const std::string& r, const std::string& d) { global.calls.emplace_back(r, d); };
  std::thread([&] { note_handshake(la, false); }).join();
  on_libsrt_log(badsecret_line, fallback);
  EXPECT_TRUE(a.calls.empty());
  EXPECT_EQ(global.calls.size(), 1u);
  {
    auto lb = b.make(false);
    note_handshake(lb, false);
  }  // the listener is gone (its pipeline stopped)
  on_libsrt_log(unsecure_line, fallback);
  EXPECT_TRUE(b.calls.empty());
  ASSERT_EQ(global.calls.size(), 2u);
  EXPECT_EQ(global.calls[1].first, other) << "without the listener, UNSECURE cannot say which side lacked a passphrase";
}

}  // namespace
}  // namespace samling::media::srt_refusals
