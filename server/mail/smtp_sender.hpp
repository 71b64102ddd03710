#pragma once
// Delivers one outbox message to the configured SMTP server with libcurl: smtp:// with STARTTLS
// as mail.starttls says (required | optional | off) or smtps:// (TLS from the first byte),
// AUTH with mail.username / mail.password when set, a deadline on the whole exchange. The
// outcome says what the outbox does next: sent, try again later (the server is down, slow, says
// 4xx, refuses our login or TLS), or give up (5xx: the server refuses this message for good).
#include <atomic>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "mail/mime.hpp"
#include "mail/outbox.hpp"

namespace samling::mail {

enum class delivery {
  sent,
  temporary,  // retry with backoff
  permanent,  // failed after this attempt
  aborted,    // the sender was asked to stop before it finished: not an attempt
};

struct send_result {
  delivery outcome = delivery::temporary;
  std::string error;  // for last_error: what failed and the server's reply, if any
  long smtp_code = 0; // the server's last reply code, 0 if none
};

// The interface the worker drives (tests give it a fake).
class sender {
 public:
  virtual ~sender() = default;
  // Blocking. Returns soon after `abort` becomes true.
  virtual send_result send(const outbox_entry& e, const std::atomic<bool>& abort) = 0;
};

struct smtp_settings {
  std::string url;                   // smtp://host[:port] or smtps://host[:port]
  std::string starttls = "required"; // smtp:// only: required | optional | off
  std::string username;              // empty: no AUTH
  std::string password;
  std::string ca_file;               // PEM CAs trusted besides the system's; empty: the system's
  sender_identity from;
  std::chrono::seconds timeout{30};  // connect, and the whole exchange of one message
};

// Why `url` is not an SMTP server's address (smtp:// or smtps://, a host, an optional port, no
// user or password in it: those go in mail.username / mail.password), or nullopt. The message
// does not quote the URL.
std::optional<std::string> smtp_url_problem(std::string_view url);

class smtp_sender final : public sender {
 public:
  explicit smtp_sender(smtp_settings s);
  send_result send(const outbox_entry& e, const std::atomic<bool>& abort) override;

 private:
  smtp_settings s_;
};

}  // namespace samling::mail
