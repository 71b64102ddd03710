#include "api/staff_sessions.hpp"

#include <chrono>

#include "core/log.hpp"

namespace samling::api {

using core::errc;

std::int64_t system_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::string client_address(std::string_view remote) {
  auto colon = remote.rfind(':');  // net::http_session writes "address:port"
  if (colon == std::string_view::npos) return std::string(remote);
  return std::string(remote.substr(0, colon));
}

std::string session_cookie(std::string_view header) {
  // "a=1; samling_session=XYZ; b=2": pairs separated by ';' and optional blanks (RFC 6265 5.4).
  std::size_t pos = 0;
  while (pos < header.size()) {
    while (pos < header.size() && (header[pos] == ' ' || header[pos] == '\t')) ++pos;
    auto end = header.find(';', pos);
    if (end == std::string_view::npos) end = header.size();
    auto pair = header.substr(pos, end - pos);
    if (pair.size() > session_cookie_name.size() && pair.substr(0, session_cookie_name.size()) == session_cookie_name &&
        pair[session_cookie_name.size()] == '=') {
      auto v = pair.substr(session_cookie_name.size() + 1);
      while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.remove_suffix(1);
      return std::string(v);
    }
    pos = end + 1;
  }
  return {};
}

staff_sessions::staff_sessions(core::blocking_pool& db, core::blocking_pool& hashing, auth::account_store& accounts,
                               auth::session_store& sessions, auth::audit_log* audit, staff_settings settings,
                               clock_fn now)
    : db_(db), hashing_(hashing), accounts_(accounts), sessions_(sessions), audit_(audit),
      settings_(settings), now_(std::move(now)) {}

const std::string& staff_sessions::dummy_hash() const {
  std::call_once(dummy_once_, [this] { dummy_hash_ = auth::hash_password(auth::new_secret(), settings_.hashing); });
  return dummy_hash_;
}

void staff_sessions::audit_blocking(auth::audit_entry e) const {
  if (!audit_) return;
  if (e.at_ms == 0) e.at_ms = now_() * 1000;
  e.remote = client_address(e.remote);
  audit_->record(e);
}

staff_identity staff_sessions::start_session_blocking(const auth::account& a, const std::string& user_agent,
                                                      const std::string& remote, std::string& cookie) const {
  auto now = now_();
  cookie = auth::new_secret();
  auth::staff_session s{.id_hash = auth::sha256_hex(cookie),
                        .account_id = a.id,
                        .csrf = auth::new_secret(),
                        .created_at = now,
                        .last_seen = now,
                        .expires_at = now + settings_.limits.max_seconds,
                        .user_agent = user_agent.substr(0, 512),
                        .remote = client_address(remote)};
  sessions_.create(s);
  // Housekeeping rides on sign-in: ended sessions and old failures go (a few rows at most).
  sessions_.purge(now, settings_.limits.idle_seconds,
                  now - settings_.lockout.window_seconds - settings_.lockout.lock_seconds);
  staff_identity who;
  who.account = a;
  who.account.password_hash.clear();
  who.roles = accounts_.roles_of(a.id);
  who.session = std::move(s);
  return who;
}

boost::asio::awaitable<bool> staff_sessions::verify(std::string hash, std::string password) const {
  auto work = [hash = std::move(hash), password = std::move(password)] { return auth::verify_password(hash, password); };
  co_return co_await core::run_blocking(hashing_, std::move(work));
}

boost::asio::awaitable<std::string> staff_sessions::hash(std::string password) const {
  auto limits = settings_.hashing;
  auto work = [password = std::move(password), limits] { return auth::hash_password(password, limits); };
  co_return co_await core::run_blocking(hashing_, std::move(work));
}

namespace {

std::string account_subject(const std::string& id) { return "account:" + id; }
std::string remote_subject(const std::string& remote) { return "remote:" + remote; }

std::string minutes_text(std::int64_t seconds) {
  auto m = (seconds + 59) / 60;
  return std::to_string(m) + (m == 1 ? " minute" : " minutes");
}

// What the first step of a sign-in found on the store's thread.
struct sign_in_check {
  sign_in_outcome refused;  // error set: answer this without hashing
  std::optional<auth::account> account;
};

}  // namespace

boost::asio::awaitable<sign_in_outcome> staff_sessions::sign_in(std::string email, std::string password,
                                                               std::string user_agent, std::string remote) const {
  remote = client_address(remote);
  // 1. The store: the per-address limit, the account, its lock.
  auto check = [this, email, remote] {
    sign_in_check out;
    auto now = now_();
    auto& p = settings_.lockout;
    auto from_remote = sessions_.failures_since(remote_subject(remote), now - p.window_seconds);
    if (static_cast<int>(from_remote.size()) >= auth::remote_failure_limit(p)) {
      out.refused.error = errc::rate_limited;
      out.refused.retry_after_s = std::max<std::int64_t>(1, from_remote.front() + p.window_seconds - now);
      out.refused.message = "Too many failed sign-ins from your address. Try again in " +
                            minutes_text(out.refused.retry_after_s) + ".";
      return out;
    }
    out.account = accounts_.find_by_email(email);
    if (out.account && out.account->disabled) out.account.reset();
    if (out.account) {
      auto failures = sessions_.failures_since(account_subject(out.account->id),
                                               now - p.window_seconds - p.lock_seconds);
      if (auto until = auth::locked_until(std::move(failures), now, p)) {
        out.refused.error = errc::sign_in_locked;
        out.refused.retry_after_s = *until - now;
        out.refused.message = "Sign-in to this account is locked after too many wrong passwords. Try again in " +
                              minutes_text(out.refused.retry_after_s) + ".";
      }
    }
    return out;
  };
  auto found = co_await core::run_blocking(db_, std::move(check));
  if (found.refused.error != errc::ok) co_return std::move(found.refused);

  // 2. The hash, on its own pool. An unknown e-mail is verified against a dummy hash: the
  //    answer takes as long as for a wrong password, so timing does not tell accounts apart.
  bool known = found.account.has_value();
  std::string stored = known ? found.account->password_hash : std::string();
  auto check_password = [this, known, stored, password] {
    return auth::verify_password(known ? stored : dummy_hash(), password) && known;
  };
  bool ok = co_await core::run_blocking(hashing_, std::move(check_password));
  std::string rehashed;
  if (ok && auth::needs_rehash(stored, settings_.hashing)) rehashed = co_await hash(password);

  // 3. The store: the failure (and maybe the lock), or the session.
  auto finish = [this, ok, account = std::move(found.account), rehashed, email, user_agent, remote] {
    sign_in_outcome out;
    auto now = now_();
    auto& p = settings_.lockout;
    if (!ok) {
      sessions_.record_failure(remote_subject(remote), now);
      out.error = errc::sign_in_failed;
      out.message = "The e-mail address or the password is wrong.";
      if (!account) return out;
      sessions_.record_failure(account_subject(account->id), now);
      auto failures = sessions_.failures_since(account_subject(account->id), now - p.window_seconds - p.lock_seconds);
      if (auto until = auth::locked_until(std::move(failures), now, p)) {
        out.error = errc::sign_in_locked;
        out.retry_after_s = *until - now;
        out.message = "Too many wrong passwords: sign-in to this account is locked for " +
                      minutes_text(out.retry_after_s) + ".";
        audit_blocking({.actor = account->id, .actor_name = account->email, .event_id = "",
                        .action = "staff.sign_in_locked", .target = account->email,
                        .detail = std::to_string(p.max_failures) + " wrong passwords; locked for " +
                                  minutes_text(out.retry_after_s),
                        .remote = remote});
        core::log(core::log_level::warn, "sign_in_locked", {{"account", account->id}, {"remote", remote}});
      }
      return out;
    }
    if (!rehashed.empty()) accounts_.set_password(account->id, rehashed);
    sessions_.clear_failures(account_subject(account->id));
    out.who = start_session_blocking(*account, user_agent, remote, out.cookie);
    return out;
  };
  co_return co_await core::run_blocking(db_, std::move(finish));
}

boost::asio::awaitable<session_lookup> staff_sessions::resolve(std::string cookie, std::string user_agent,
                                                              std::string remote) const {
  auto work = [this, cookie = std::move(cookie), user_agent = std::move(user_agent), remote = std::move(remote)] {
    session_lookup out;
    out.error = errc::session_expired;
    out.message = "Your session has ended (signed out or expired); sign in again.";
    auto s = sessions_.find(auth::sha256_hex(cookie));
    if (!s) return out;
    auto now = now_();
    auto verdict = auth::check_session(*s, now, settings_.limits, user_agent);
    if (verdict != auth::session_verdict::valid) {
      sessions_.remove(s->id_hash);
      if (verdict == auth::session_verdict::agent_changed) {
        out.message = "This session was presented by another browser and has been signed out; sign in again.";
        audit_blocking({.actor = s->account_id, .actor_name = "", .event_id = "",
                        .action = "staff.session_refused", .target = "user agent changed",
                        .detail = user_agent.substr(0, 200), .remote = remote});
        core::log(core::log_level::warn, "session_refused", {{"account", s->account_id}, {"remote", remote}});
      }
      return out;
    }
    auto account = accounts_.find_by_id(s->account_id);
    if (!account || account->disabled) {
      sessions_.remove(s->id_hash);
      return out;
    }
    // last_seen moves at most once a minute: the idle timeout needs no finer grain, and a
    // busy console does not write on every request.
    if (now - s->last_seen >= 60) {
      sessions_.touch(s->id_hash, now);
      s->last_seen = now;
    }
    staff_identity who;
    who.account = std::move(*account);
    who.account.password_hash.clear();
    who.roles = accounts_.roles_of(s->account_id);
    who.session = std::move(*s);
    out.who = std::move(who);
    out.error = errc::ok;
    out.message.clear();
    return out;
  };
  co_return co_await core::run_blocking(db_, std::move(work));
}

boost::asio::awaitable<void> staff_sessions::sign_out(std::string cookie) const {
  auto work = [this, cookie = std::move(cookie)] { sessions_.remove(auth::sha256_hex(cookie)); };
  co_await core::run_blocking(db_, std::move(work));
}

boost::asio::awaitable<int> staff_sessions::sign_out_everywhere(staff_identity who, std::string remote) const {
  auto work = [this, who = std::move(who), remote = std::move(remote)] {
    int n = sessions_.remove_all_of(who.account.id);
    audit_blocking({.actor = who.account.id, .actor_name = who.account.email, .event_id = "",
                    .action = "staff.signed_out_everywhere", .target = who.account.email,
                    .detail = std::to_string(n) + " sessions ended", .remote = remote});
    return n;
  };
  co_return co_await core::run_blocking(db_, std::move(work));
}

std::string staff_sessions::set_cookie(const std::string& cookie) const {
  return std::string(session_cookie_name) + "=" + cookie + "; Path=/; Max-Age=" +
         std::to_string(settings_.limits.max_seconds) + "; HttpOnly; SameSite=Lax" + (settings_.tls ? "; Secure" : "");
}

std::string staff_sessions::clear_cookie() const {
  return std::string(session_cookie_name) + "=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax" +
         (settings_.tls ? "; Secure" : "");
}

}  // namespace samling::api
