#include "registration/registration.hpp"

#include <algorithm>
#include <array>

#include <openssl/evp.h>

#include "auth/account_store.hpp"
#include "auth/token.hpp"
#include "core/utf8.hpp"
#include "program/timezone.hpp"

namespace samling::registration {

std::string_view to_string(mode m) { return m == mode::hall ? "hall" : "remote"; }

std::optional<mode> mode_from_string(std::string_view s) {
  if (s == "hall") return mode::hall;
  if (s == "remote") return mode::remote;
  return std::nullopt;
}

std::string_view to_string(status s) {
  switch (s) {
    case status::registered: return "registered";
    case status::waitlisted: return "waitlisted";
    case status::cancelled: return "cancelled";
  }
  return "cancelled";
}

std::optional<status> status_from_string(std::string_view s) {
  if (s == "registered") return status::registered;
  if (s == "waitlisted") return status::waitlisted;
  if (s == "cancelled") return status::cancelled;
  return std::nullopt;
}

std::string_view to_string(notice n) {
  switch (n) {
    case notice::registered: return "registration_confirmed";
    case notice::waitlisted: return "registration_waitlisted";
    case notice::promoted: return "registration_promoted";
    case notice::cancelled: return "registration_cancelled";
  }
  return "registration_confirmed";
}

bool settings::offers(mode m) const { return std::find(modes.begin(), modes.end(), m) != modes.end(); }

std::int64_t settings::limit(mode m) const {
  if (!hybrid()) return capacity;
  return m == mode::hall ? capacity : remote_capacity;
}

// Open from opens_at's second on, closed from closes_at's: both are whole minutes of the
// event's zone, so "open at 14:00" is open at 14:00:00 and "closes 14:00" refuses 14:00:00.
window window_at(const settings& s, std::int64_t now) {
  if (now < s.opens_at) return window::not_open;
  if (now >= s.closes_at) return window::closed;
  return window::open;
}

namespace {

bool is_language(std::string_view l) { return l == "sv" || l == "en" || l == "fi"; }

}  // namespace

checked_request check_request(const request_fields& in, const settings& s) {
  checked_request out;
  auto& r = out.value;
  auto add = [&](std::string field, std::string message) { out.problems.push_back({std::move(field), std::move(message)}); };

  r.name = core::trim_space(in.name.value_or(""));
  if (auto p = core::text_field_problem(r.name, 1, max_name_chars, false)) add("name", "The name " + *p + ".");

  r.email = auth::normalize_email(in.email.value_or(""));
  if (auto p = auth::email_problem(r.email)) add("email", "Check the e-mail address: " + *p + ".");

  r.organization = core::trim_space(in.organization.value_or(""));
  if (auto p = core::text_field_problem(r.organization, 0, max_organization_chars, false))
    add("organization", "The organization " + *p + ".");

  r.accessibility_needs = core::trim_space(in.accessibility_needs.value_or(""));
  if (auto p = core::text_field_problem(r.accessibility_needs, 0, max_needs_chars, true))
    add("accessibility_needs", "The accessibility needs " + *p + ".");

  if (in.mode) {
    auto m = mode_from_string(*in.mode);
    if (!m) {
      add("mode", "The attendance mode must be \"hall\" or \"remote\".");
    } else if (!s.offers(*m)) {
      add("mode", std::string("This event has no ") + (*m == mode::hall ? "seats in the hall" : "remote attendance") + ".");
    } else {
      r.attendance = *m;
    }
  } else if (s.hybrid()) {
    add("mode", "Choose how you attend: \"hall\" or \"remote\".");
  } else {
    r.attendance = s.modes.empty() ? mode::hall : s.modes.front();
  }

  if (!in.consent.value_or(false)) {
    add("consent", "Registration stores your name and e-mail address: agree to that to register.");
  } else if (in.consent_version && *in.consent_version != s.consent_version) {
    add("consent", "The consent text has changed since the form was loaded (version " + s.consent_version +
                       "); read it again and agree.");
  }
  r.consent_version = s.consent_version;

  r.language = in.language.value_or("sv");
  if (!is_language(r.language)) add("language", "The language must be sv, en or fi.");
  return out;
}

checked_settings check_settings(const settings_fields& in, std::string_view event_id, std::string_view zone) {
  checked_settings out;
  auto& s = out.value;
  s.event_id = std::string(event_id);
  auto add = [&](std::string field, std::string message) { out.problems.push_back({std::move(field), std::move(message)}); };

  // Event-local "2027-11-12T09:00" (what an organizer types and reads), or an RFC 3339 moment.
  auto moment = [&](const std::optional<std::string>& v, const char* field) -> std::int64_t {
    if (!v) {
      add(field, std::string("\"") + field + "\" is required: the event's local time, YYYY-MM-DDTHH:MM.");
      return 0;
    }
    bool has_offset = v->size() > 16 && (v->back() == 'Z' || v->find('+', 16) != std::string::npos ||
                                          v->find('-', 16) != std::string::npos);
    auto t = has_offset ? program::parse_utc_iso(*v) : program::local_iso_to_utc(*v, zone);
    if (!t) {
      add(field, std::string("\"") + field + "\" must be the event's local time as YYYY-MM-DDTHH:MM, got \"" + *v + "\".");
      return 0;
    }
    if (*t % 60 != 0) add(field, std::string("\"") + field + "\" must be a whole minute.");
    return *t;
  };
  s.opens_at = moment(in.opens_at, "opens_at");
  s.closes_at = moment(in.closes_at, "closes_at");
  if (in.opens_at && in.closes_at && out.problems.empty() && s.closes_at <= s.opens_at)
    add("closes_at", "Registration must close after it opens.");

  s.capacity = in.capacity.value_or(0);
  if (s.capacity < 0 || s.capacity > 1000000) add("capacity", "The capacity must be 0 (unlimited) to 1000000.");
  s.remote_capacity = in.remote_capacity.value_or(0);
  if (s.remote_capacity < 0 || s.remote_capacity > 1000000)
    add("remote_capacity", "The remote capacity must be 0 (unlimited) to 1000000.");
  s.waitlist = in.waitlist.value_or(true);

  s.modes.clear();
  if (!in.modes || in.modes->empty()) {
    s.modes = {mode::hall};
    if (in.modes) add("modes", "Give at least one attendance mode: \"hall\", \"remote\" or both.");
  } else {
    bool hall = false, remote = false;
    for (auto& m : *in.modes) {
      auto v = mode_from_string(m);
      if (!v) add("modes", "Unknown attendance mode \"" + m + "\": use \"hall\" and/or \"remote\".");
      else if (*v == mode::hall) hall = true;
      else remote = true;
    }
    if (hall) s.modes.push_back(mode::hall);
    if (remote) s.modes.push_back(mode::remote);
    if (s.modes.empty()) s.modes = {mode::hall};
  }
  if (!s.hybrid() && in.remote_capacity && *in.remote_capacity != 0)
    add("remote_capacity", "Only an event with both modes has a separate remote capacity; use \"capacity\".");

  s.consent_version = in.consent_version.value_or("1");
  if (auto n = core::utf8_length(s.consent_version);
      !n || *n < 1 || *n > 40 || core::has_control(s.consent_version))
    add("consent_version", "The consent version must be 1-40 characters without control characters.");
  return out;
}

std::string local_text(std::int64_t utc_s, std::string_view zone) {
  auto l = program::to_local(utc_s, zone);
  if (!l) return program::utc_iso(utc_s);
  return l->day + " " + l->hhmm + " (" + std::string(zone) + ")";
}

std::optional<std::int64_t> join_valid_until(std::string_view last_day, std::string_view zone) {
  // Noon of the last day plus 48 hours is on the day after next whatever DST does; its local
  // midnight is the end of the last day plus one day.
  auto noon = program::to_utc(last_day, "12:00", zone);
  if (!noon) return std::nullopt;
  auto later = program::to_local(*noon + 48 * 3600, zone);
  if (!later) return std::nullopt;
  return program::to_utc(later->day, "00:00", zone);
}

settings demo_settings(std::string_view event_id, std::string_view first_day, std::string_view zone, std::int64_t now) {
  settings s;
  s.event_id = std::string(event_id);
  s.opens_at = now - now % 60;
  s.closes_at = s.opens_at + 30 * 86400;
  if (auto noon = program::to_utc(first_day, "12:00", zone))
    if (auto before = program::to_local(*noon - 86400, zone))
      if (auto close = program::to_utc(before->day, "14:00", zone); close && *close > s.opens_at) s.closes_at = *close;
  s.capacity = 120;
  s.waitlist = true;
  s.modes = {mode::hall, mode::remote};
  s.consent_version = "1";
  s.updated_at = now;
  return s;
}

std::string new_manage_token() { return auth::random_secret(); }

std::string manage_token_hash(std::string_view token) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
  unsigned int len = 0;
  EVP_Digest(token.data(), token.size(), md.data(), &len, EVP_sha256(), nullptr);
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  for (unsigned i = 0; i < len; ++i) {
    out += digits[md[i] >> 4];
    out += digits[md[i] & 0xF];
  }
  return out;
}

}  // namespace samling::registration
