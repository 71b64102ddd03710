#include "api/room_export.hpp"

#include "program/timezone.hpp"

namespace samling::api::room_export {

std::string csv_cell(std::string_view v) {
  std::string s(v);
  if (!s.empty() && (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@')) s.insert(s.begin(), '\'');
  if (s.find_first_of(",;\"\r\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string csv(const std::vector<std::vector<std::string>>& rows) {
  std::string out = "\xEF\xBB\xBF";
  for (auto& row : rows) {
    for (std::size_t i = 0; i < row.size(); ++i) {
      if (i) out += ',';
      out += csv_cell(row[i]);
    }
    out += "\r\n";
  }
  return out;
}

std::string local_time(std::int64_t ms, std::string_view zone) {
  if (ms == 0) return {};
  const std::int64_t s = ms / 1000;
  auto l = program::to_local(s, zone);
  if (!l) return program::utc_iso(s);
  auto iso = l->iso;
  if (auto t = iso.find('T'); t != std::string::npos) iso[t] = ' ';
  return iso;
}

std::string_view to_string(qa::question_status s) {
  switch (s) {
    case qa::question_status::pending: return "pending";
    case qa::question_status::approved: return "approved";
    case qa::question_status::answered: return "answered";
    case qa::question_status::rejected: return "rejected";
    case qa::question_status::archived: return "archived";
    case qa::question_status::merged: return "merged";
  }
  return "?";
}
std::string_view to_string(qa::question_source s) { return s == qa::question_source::hall ? "hall" : "online"; }
std::string_view to_string(qa::poll_kind k) { return k == qa::poll_kind::multiple ? "multiple" : "single"; }
std::string_view to_string(qa::poll_state s) {
  switch (s) {
    case qa::poll_state::draft: return "draft";
    case qa::poll_state::open: return "open";
    case qa::poll_state::closed: return "closed";
    case qa::poll_state::archived: return "archived";
  }
  return "?";
}
std::string_view to_string(qa::poll_results r) {
  switch (r) {
    case qa::poll_results::live: return "live";
    case qa::poll_results::hidden: return "hidden";
    case qa::poll_results::revealed: return "revealed";
  }
  return "?";
}

std::string author_name_for_staff(const qa::question& q, bool names_to_moderators) {
  if (q.anonymous && !names_to_moderators) return {};
  return q.author_name;
}

namespace {
std::string yes_no(bool b) { return b ? "yes" : "no"; }
std::string joined(const std::vector<std::string>& ids) {
  std::string out;
  for (auto& id : ids) out += (out.empty() ? "" : " ") + id;
  return out;
}
}  // namespace

std::string questions_csv(const std::vector<qa::question>& questions, bool names_to_moderators,
                          std::string_view zone) {
  std::vector<std::vector<std::string>> rows{{"id", "status", "votes", "pinned", "text", "source", "press",
                                              "anonymous", "author_name", "author_role", "created", "updated",
                                              "edited", "merged_into", "merged_from", "reason"}};
  for (auto& q : questions) {
    const auto author = author_name_for_staff(q, names_to_moderators);
    const bool shown = !(q.anonymous && !names_to_moderators) && !q.author_id.empty();
    rows.push_back({q.id, std::string(to_string(q.status)), std::to_string(q.votes), yes_no(q.pinned), q.text,
                    std::string(to_string(q.source)), yes_no(q.press), yes_no(q.anonymous), author,
                    shown ? std::string(auth::to_string(q.author_role)) : std::string(), local_time(q.created_ms, zone),
                    local_time(q.updated_ms, zone), yes_no(q.edited), q.merged_into, joined(q.merged_from), q.reason});
  }
  return csv(rows);
}

std::string chat_csv(const std::vector<rooms::chat_message>& messages, std::string_view zone) {
  std::vector<std::vector<std::string>> rows{{"seq", "time", "user_id", "user_name", "user_role", "text"}};
  for (auto& m : messages)
    rows.push_back({std::to_string(m.seq), local_time(m.ts_ms, zone), m.user.id, m.user.name,
                    std::string(auth::to_string(m.user.role)), m.text});
  return csv(rows);
}

std::string polls_csv(const std::vector<qa::poll>& polls, std::string_view zone) {
  std::vector<std::vector<std::string>> rows{{"poll_id", "poll", "kind", "state", "results", "option", "option_text",
                                              "votes", "voters", "created"}};
  for (auto& p : polls)
    for (std::size_t i = 0; i < p.options.size(); ++i)
      rows.push_back({p.id, p.text, std::string(to_string(p.kind)), std::string(to_string(p.state)),
                      std::string(to_string(p.results)), std::to_string(i), p.options[i],
                      std::to_string(i < p.counts.size() ? p.counts[i] : 0), std::to_string(p.voters),
                      local_time(p.created_ms, zone)});
  return csv(rows);
}

}  // namespace samling::api::room_export
