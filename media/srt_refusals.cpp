#include "media/srt_refusals.hpp"

namespace samling::media::srt_refusals {

namespace {

// The handshake libsrt is processing on this thread, as the listener's accept hook saw it.
struct pending {
  std::weak_ptr<const listener> who;
  bool already_reported = false;
  bool set = false;
};
thread_local pending current;

// Plain words for the log and the status.
std::string describe(const std::string& reason, const std::string& code) {
  if (reason == no_passphrase) return "the caller sent no passphrase (libsrt: " + code + ")";
  if (reason == wrong_passphrase) return "the caller's passphrase is wrong (libsrt: " + code + ")";
  if (reason == unexpected_passphrase)
    return "the caller is encrypted but the stage has no passphrase (libsrt: " + code + ")";
  return "libsrt refused the caller: " + code;
}

}  // namespace

void note_handshake(const std::shared_ptr<const listener>& l, bool already_reported) {
  current.who = l;
  current.already_reported = already_reported;
  current.set = true;
}

std::string refusal_code(std::string_view text) {
  // libsrt 1.5: "@<socket>:newConnection: connection rejected due to: <why> - <code>", where
  // <code> is "ERROR:BADSECRET", "ERROR:UNSECURE", ... (RequestTypeStr of the reject reason).
  constexpr std::string_view marker = "newConnection: connection rejected due to:";
  auto at = text.find(marker);
  if (at == std::string_view::npos) return {};
  auto rest = text.substr(at + marker.size());
  auto dash = rest.rfind(" - ");
  std::string_view code = dash == std::string_view::npos ? rest : rest.substr(dash + 3);
  while (!code.empty() && (code.back() == '\n' || code.back() == '\r' || code.back() == ' ')) code.remove_suffix(1);
  while (!code.empty() && code.front() == ' ') code.remove_prefix(1);
  return code.empty() ? std::string("unknown") : std::string(code);
}

std::string classify(const std::string& code, bool encrypted) {
  if (code.find("BADSECRET") != std::string::npos) return wrong_passphrase;
  // UNSECURE: one side encrypted, the other not (libsrt enforces encryption on both sides).
  if (code.find("UNSECURE") != std::string::npos) return encrypted ? no_passphrase : unexpected_passphrase;
  return other;
}

bool on_libsrt_log(std::string_view text,
                   const std::function<void(const std::string& reason, const std::string& detail)>& unattributed) {
  std::string code = refusal_code(text);
  if (code.empty()) return false;
  // The noted handshake is this line's: consume it, so a later line is never pinned on it.
  pending p = current;
  current = pending{};
  if (p.set && p.already_reported) return true;
  if (auto l = p.set ? p.who.lock() : nullptr) {
    auto reason = classify(code, l->encrypted);
    if (l->refused) l->refused(reason, describe(reason, code));
    return true;
  }
  // No listener noted (its pipeline already gone, or libsrt refused before asking it): the
  // reason is still known if libsrt named a passphrase problem; whose stage it was is not.
  auto reason = code.find("UNSECURE") != std::string::npos ? std::string(other) : classify(code, true);
  if (unattributed) unattributed(reason, describe(reason, code));
  return true;
}

}  // namespace samling::media::srt_refusals
