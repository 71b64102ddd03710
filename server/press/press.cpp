#include "press/press.hpp"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <algorithm>
#include <array>
#include <stdexcept>

#include "auth/account_store.hpp"
#include "auth/token.hpp"
#include "core/utf8.hpp"
#include "program/timezone.hpp"

namespace samling::press {

std::string_view to_string(accreditation_state s) {
  switch (s) {
    case accreditation_state::pending: return "pending";
    case accreditation_state::info_requested: return "info_requested";
    case accreditation_state::approved: return "approved";
    case accreditation_state::rejected: return "rejected";
    case accreditation_state::revoked: return "revoked";
  }
  return "pending";  // unreachable
}

std::optional<accreditation_state> accreditation_state_from_string(std::string_view s) {
  if (s == "pending") return accreditation_state::pending;
  if (s == "info_requested") return accreditation_state::info_requested;
  if (s == "approved") return accreditation_state::approved;
  if (s == "rejected") return accreditation_state::rejected;
  if (s == "revoked") return accreditation_state::revoked;
  return std::nullopt;
}

std::string_view to_string(attendance a) { return a == attendance::hall ? "hall" : "remote"; }

std::optional<attendance> attendance_from_string(std::string_view s) {
  if (s == "hall") return attendance::hall;
  if (s == "remote") return attendance::remote;
  return std::nullopt;
}

std::string_view to_string(interview_state s) {
  switch (s) {
    case interview_state::requested: return "requested";
    case interview_state::accepted: return "accepted";
    case interview_state::proposed: return "proposed";
    case interview_state::declined: return "declined";
    case interview_state::cancelled: return "cancelled";
  }
  return "requested";  // unreachable
}

std::optional<interview_state> interview_state_from_string(std::string_view s) {
  if (s == "requested") return interview_state::requested;
  if (s == "accepted") return interview_state::accepted;
  if (s == "proposed") return interview_state::proposed;
  if (s == "declined") return interview_state::declined;
  if (s == "cancelled") return interview_state::cancelled;
  return std::nullopt;
}

std::optional<answer> answer_from_string(std::string_view s) {
  if (s == "accept") return answer::accept;
  if (s == "propose") return answer::propose;
  if (s == "decline") return answer::decline;
  return std::nullopt;
}

// The speaker's (or the press officer's) answer. An open request takes any answer; a proposed
// time may be proposed again (another time), declined, or accepted after all (the time the
// journalist wanted). Once accepted, only the journalist cancels (not an answer); declined and
// cancelled are final.
std::optional<interview_state> after_answer(interview_state from, answer a) {
  if (from != interview_state::requested && from != interview_state::proposed) return std::nullopt;
  switch (a) {
    case answer::accept: return interview_state::accepted;
    case answer::propose: return interview_state::proposed;
    case answer::decline: return interview_state::declined;
  }
  return std::nullopt;
}

namespace {

bool is_language(std::string_view l) { return l == "sv" || l == "en" || l == "fi"; }

bool phone_char(char c) { return (c >= '0' && c <= '9') || c == ' ' || c == '+' || c == '(' || c == ')' || c == '-'; }

constexpr char hex_digits[] = "0123456789abcdef";

std::string random_hex(std::size_t bytes) {
  std::array<unsigned char, 16> buf{};
  if (bytes > buf.size() || RAND_bytes(buf.data(), static_cast<int>(bytes)) != 1)
    throw std::runtime_error("samling::press: RAND_bytes failed");
  std::string out;
  for (std::size_t i = 0; i < bytes; ++i) {
    out += hex_digits[buf[i] >> 4];
    out += hex_digits[buf[i] & 0xf];
  }
  return out;
}

}  // namespace

checked_request check_request(const request_fields& in, const std::vector<std::string>& event_days) {
  checked_request out;
  accreditation& r = out.value;
  auto add = [&](std::string field, std::string message) {
    out.problems.push_back({std::move(field), std::move(message)});
  };

  r.name = core::trim_space(in.name.value_or(""));
  if (auto p = core::text_field_problem(r.name, 1, max_name_chars, false)) add("name", "The name " + *p + ".");

  r.outlet = core::trim_space(in.outlet.value_or(""));
  if (auto p = core::text_field_problem(r.outlet, 1, max_outlet_chars, false))
    add("outlet", "The publication or broadcaster " + *p + ".");

  r.email = auth::normalize_email(in.email.value_or(""));
  if (auto p = auth::email_problem(r.email)) add("email", "Check the e-mail address: " + *p + ".");

  r.phone = core::trim_space(in.phone.value_or(""));
  if (auto p = core::text_field_problem(r.phone, 0, max_phone_chars, false)) {
    add("phone", "The phone number " + *p + ".");
  } else if (!std::all_of(r.phone.begin(), r.phone.end(), phone_char)) {
    add("phone", "The phone number may hold only digits, spaces and + ( ) -.");
  }

  r.press_card = core::trim_space(in.press_card.value_or(""));
  if (auto p = core::text_field_problem(r.press_card, 0, max_press_card_chars, false))
    add("press_card", "The press card number " + *p + ".");

  if (!in.days || in.days->empty()) {
    add("days", "Choose at least one day of the event.");
  } else {
    // In the event's order, each once, whatever order the form sent them in.
    bool bad = false;
    for (const auto& d : *in.days) {
      if (std::find(event_days.begin(), event_days.end(), d) == event_days.end()) {
        bool printable = core::utf8_length(d) && !core::has_control(d) && d.size() <= 40;
        add("days", "\"" + (printable ? d : std::string("?")) + "\" is not a day of this event.");
        bad = true;
      }
    }
    if (!bad)
      for (const auto& d : event_days)
        if (std::find(in.days->begin(), in.days->end(), d) != in.days->end()) r.days.push_back(d);
  }

  if (in.attendance) {
    if (auto a = attendance_from_string(*in.attendance)) r.attendance = *a;
    else add("attendance", "The attendance must be \"hall\" or \"remote\".");
  }

  r.note = core::trim_space(in.note.value_or(""));
  if (auto p = core::text_field_problem(r.note, 0, max_note_chars, true)) add("note", "The note " + *p + ".");

  r.language = in.language.value_or("sv");
  if (r.language.empty()) r.language = "sv";
  if (!is_language(r.language)) {
    add("language", "The language must be sv, en or fi.");
    r.language = "sv";
  }
  return out;
}

std::optional<validity> validity_of(const std::vector<std::string>& days, std::string_view zone,
                                    std::int64_t grace_before_s, std::int64_t grace_after_s) {
  if (days.empty() || !program::is_valid_zone(zone)) return std::nullopt;
  std::optional<std::int64_t> start, end;
  for (const auto& d : days) {
    auto midnight = program::to_utc(d, "00:00", zone);
    // The end of the day is the next day's midnight: noon plus 24 hours is on the next day
    // whatever DST does that night (a day is 23, 24 or 25 hours).
    auto noon = program::to_utc(d, "12:00", zone);
    if (!midnight || !noon) return std::nullopt;
    auto next = program::to_local(*noon + 86400, zone);
    if (!next) return std::nullopt;
    auto next_midnight = program::to_utc(next->day, "00:00", zone);
    if (!next_midnight) return std::nullopt;
    if (!start || *midnight < *start) start = *midnight;
    if (!end || *next_midnight > *end) end = *next_midnight;
  }
  return validity{*start - grace_before_s, *end + grace_after_s};
}

std::string new_accreditation_id() { return "acc-" + random_hex(8); }
std::string new_interview_id() { return "iv-" + random_hex(8); }
std::string new_link_token() { return auth::random_secret(); }

std::string token_hash(std::string_view token) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
  unsigned int len = 0;
  if (EVP_Digest(token.data(), token.size(), md.data(), &len, EVP_sha256(), nullptr) != 1)
    throw std::runtime_error("samling::press: SHA-256 failed");
  std::string out;
  out.reserve(len * 2);
  for (unsigned i = 0; i < len; ++i) {
    out += hex_digits[md[i] >> 4];
    out += hex_digits[md[i] & 0xf];
  }
  return out;
}

}  // namespace samling::press
