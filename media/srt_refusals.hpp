#pragma once
// Which stage an SRT caller was refused by, and why.
//
// libsrt refuses a caller with no passphrase or a wrong one inside its handshake and says so
// only in its own log ("@<socket>:newConnection: connection rejected due to: ... ERROR:BADSECRET"),
// naming the new socket it made for the caller, not the listener. But libsrt calls the
// listener's accept hook (srtsrc's "caller-connecting" signal) for that same socket just
// before, on the same thread (the receive thread of the listener's UDP port), and logs the
// refusal before that handshake returns. So the stage's "caller-connecting" handler notes
// itself on the thread (note_handshake), and the log line that follows on that thread is that
// stage's refusal (on_libsrt_log).
#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace samling::media::srt_refusals {

// Why a caller was refused, as the status and the log name it.
inline constexpr const char* no_passphrase = "no_passphrase";                  // the stage is encrypted, the caller is not
inline constexpr const char* wrong_passphrase = "wrong_passphrase";            // both encrypted, the secrets differ
inline constexpr const char* unexpected_passphrase = "unexpected_passphrase";  // the caller is encrypted, the stage is not
inline constexpr const char* wrong_stream_id = "wrong_stream_id";              // the stage's stream_id was not the caller's
inline constexpr const char* other = "other";                                  // anything else libsrt refuses

// A stage's listener: `refused(reason, detail)` may run on any thread (libsrt's).
struct listener {
  bool encrypted = false;  // the stage has a passphrase
  std::function<void(const std::string& reason, const std::string& detail)> refused;
};

// On libsrt's thread, from "caller-connecting": the refusal libsrt may log next on this thread
// is `l`'s. `already_reported`: the handler refused the caller itself (and reported it), so
// libsrt's line about it is not counted again. Holds `l` weakly: a stopped listener is forgotten.
void note_handshake(const std::shared_ptr<const listener>& l, bool already_reported);

// The libsrt code in a refusal line ("BADSECRET" from "... - ERROR:BADSECRET"), or empty when
// `text` is not libsrt's report of a refused caller.
std::string refusal_code(std::string_view text);

// The reason for a libsrt code, given whether the listener is encrypted.
std::string classify(const std::string& code, bool encrypted);

// For each libsrt log line (on the thread that logs it). When it reports a refused caller:
// hands it to the listener noted on this thread and returns true; with none noted, calls
// `unattributed(reason, detail)` and returns true. Otherwise false.
bool on_libsrt_log(std::string_view text,
                   const std::function<void(const std::string& reason, const std::string& detail)>& unattributed);

}  // namespace samling::media::srt_refusals
