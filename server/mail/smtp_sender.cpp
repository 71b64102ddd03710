#include "mail/smtp_sender.hpp"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <memory>
#include <mutex>
#include <stdexcept>

#include <curl/curl.h>

namespace samling::mail {

namespace {

void global_init() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct upload {
  std::string_view data;
  std::size_t pos = 0;
};

std::size_t read_body(char* buffer, std::size_t size, std::size_t count, void* user) {
  auto* u = static_cast<upload*>(user);
  const std::size_t n = std::min(size * count, u->data.size() - u->pos);
  std::memcpy(buffer, u->data.data() + u->pos, n);
  u->pos += n;
  return n;
}

struct transcript {
  std::string last_reply;   // the server's last reply line but the closing 221, CRLF trimmed
  std::string error_reply;  // its last 4xx or 5xx reply line
  const std::string& best() const { return error_reply.empty() ? last_reply : error_reply; }
};

// With CURLOPT_VERBOSE, libcurl hands every line the server sends here as "header in": the
// SMTP replies, whose text (say "550 5.1.1 No such user") goes into last_error.
int on_debug(CURL*, curl_infotype type, char* data, std::size_t size, void* user) {
  if (type != CURLINFO_HEADER_IN) return 0;
  std::string line(data, size);
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
  if (line.size() > 300) line.resize(300);
  auto* t = static_cast<transcript*>(user);
  // libcurl says QUIT after a failure too; its "221 Bye" would hide the reply that mattered.
  if (line.empty() || line.starts_with("221")) return 0;
  if (line[0] == '4' || line[0] == '5') t->error_reply = line;
  t->last_reply = std::move(line);
  return 0;
}

int on_progress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  return static_cast<const std::atomic<bool>*>(user)->load() ? 1 : 0;
}

struct easy_deleter {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
};
struct slist_deleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};

std::string with_reply(std::string what, const std::string& reply) {
  if (!reply.empty()) what += " (server said: " + reply + ")";
  return what;
}

}  // namespace

std::optional<std::string> smtp_url_problem(std::string_view url) {
  std::string_view rest;
  if (url.starts_with("smtp://"))
    rest = url.substr(7);
  else if (url.starts_with("smtps://"))
    rest = url.substr(8);
  else
    return "must start with smtp:// (STARTTLS per mail.starttls) or smtps:// (TLS)";
  const auto end = std::min(rest.find('/'), rest.size());
  const std::string_view authority = rest.substr(0, end);
  if (authority.find('@') != std::string_view::npos)
    return "must not hold a user or password; use mail.username and mail.password";
  if (authority.empty() || authority.front() == ':') return "needs a host name";
  for (char c : authority)
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) return "must not contain spaces or control characters";
  if (const auto colon = authority.rfind(':'); colon != std::string_view::npos && authority.back() != ']') {
    const std::string_view port = authority.substr(colon + 1);
    if (port.empty() || port.size() > 5 || port.find_first_not_of("0123456789") != std::string_view::npos ||
        std::stoi(std::string(port)) < 1 || std::stoi(std::string(port)) > 65535)
      return "has an invalid port (1..65535)";
  }
  return std::nullopt;
}

smtp_sender::smtp_sender(smtp_settings s) : s_(std::move(s)) { global_init(); }

send_result smtp_sender::send(const outbox_entry& e, const std::atomic<bool>& abort) {
  send_result r;
  std::string bytes;
  try {
    const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                         std::chrono::system_clock::now().time_since_epoch()).count();
    bytes = build_message(e.msg, s_.from, now, e.id);
  } catch (const std::invalid_argument& ex) {
    r.outcome = delivery::permanent;
    r.error = std::string("not sendable: ") + ex.what();
    return r;
  }

  std::unique_ptr<CURL, easy_deleter> curl(curl_easy_init());
  if (!curl) {
    r.error = "libcurl could not start a transfer";
    return r;
  }
  CURL* c = curl.get();
  upload body{bytes};
  transcript t;
  char error_buffer[CURL_ERROR_SIZE] = {};
  const std::string mail_from = "<" + s_.from.address + ">";
  std::unique_ptr<curl_slist, slist_deleter> rcpt(curl_slist_append(nullptr, ("<" + e.msg.to + ">").c_str()));
  const long timeout = static_cast<long>(s_.timeout.count());

  curl_easy_setopt(c, CURLOPT_URL, s_.url.c_str());
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, error_buffer);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, timeout);
  curl_easy_setopt(c, CURLOPT_TIMEOUT, timeout);
  curl_easy_setopt(c, CURLOPT_SERVER_RESPONSE_TIMEOUT, timeout);
  if (s_.url.starts_with("smtp://")) {
    const long use_ssl = s_.starttls == "off" ? CURLUSESSL_NONE
                         : s_.starttls == "optional" ? CURLUSESSL_TRY
                                                     : CURLUSESSL_ALL;
    curl_easy_setopt(c, CURLOPT_USE_SSL, use_ssl);
  }
  if (!s_.ca_file.empty()) curl_easy_setopt(c, CURLOPT_CAINFO, s_.ca_file.c_str());
  if (!s_.username.empty()) {
    curl_easy_setopt(c, CURLOPT_USERNAME, s_.username.c_str());
    curl_easy_setopt(c, CURLOPT_PASSWORD, s_.password.c_str());
  }
  curl_easy_setopt(c, CURLOPT_MAIL_FROM, mail_from.c_str());
  curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpt.get());
  curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
  curl_easy_setopt(c, CURLOPT_READFUNCTION, read_body);
  curl_easy_setopt(c, CURLOPT_READDATA, &body);
  curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(bytes.size()));
  curl_easy_setopt(c, CURLOPT_VERBOSE, 1L);
  curl_easy_setopt(c, CURLOPT_DEBUGFUNCTION, on_debug);
  curl_easy_setopt(c, CURLOPT_DEBUGDATA, &t);
  // libcurl calls this at least once a second, even while it waits: a stop is seen promptly.
  curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_progress);
  curl_easy_setopt(c, CURLOPT_XFERINFODATA, const_cast<std::atomic<bool>*>(&abort));

  const CURLcode rc = curl_easy_perform(c);
  long code = 0;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
  r.smtp_code = code;
  const std::string detail = error_buffer[0] ? error_buffer : curl_easy_strerror(rc);

  switch (rc) {
    case CURLE_OK:
      r.outcome = delivery::sent;
      return r;
    case CURLE_ABORTED_BY_CALLBACK:
      r.outcome = delivery::aborted;
      r.error = "not sent: the server stopped during delivery";
      return r;
    case CURLE_LOGIN_DENIED:
      // A 535 is a 5xx, but the message is not at fault: retry once the credentials are fixed.
      r.outcome = delivery::temporary;
      r.error = with_reply("SMTP authentication failed: check mail.username and mail.password", t.best());
      return r;
    case CURLE_USE_SSL_FAILED:
      r.outcome = delivery::temporary;
      r.error = with_reply("the SMTP server does not offer STARTTLS, which mail.starttls = \"required\" demands", t.best());
      return r;
    case CURLE_COULDNT_CONNECT:
    case CURLE_COULDNT_RESOLVE_HOST:
      r.outcome = delivery::temporary;
      r.error = "cannot connect to the SMTP server: " + detail;
      return r;
    case CURLE_OPERATION_TIMEDOUT:
      r.outcome = delivery::temporary;
      r.error = with_reply("the SMTP server did not answer within " + std::to_string(timeout) + " s: " + detail,
                           t.best());
      return r;
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
      r.outcome = delivery::temporary;
      r.error = "TLS with the SMTP server failed: " + detail;
      return r;
    default:
      break;
  }
  // The server refused: 5xx for good (RFC 5321 4.2.1), 4xx for now; anything else (a dropped
  // connection, a garbled reply) is worth another try.
  r.outcome = code >= 500 && code <= 599 ? delivery::permanent : delivery::temporary;
  r.error = with_reply("SMTP: " + detail, t.best());
  return r;
}

}  // namespace samling::mail
