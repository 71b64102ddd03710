#include "qa/views.hpp"

#include <boost/json/array.hpp>

#include "qa/names.hpp"

namespace samling::qa {

namespace {

boost::json::value author_json(const question& q, view v, bool names_to_moderators) {
  if (q.source == question_source::hall) {
    // Entered by a moderator for someone in the hall: at most the name they gave, for everyone.
    if (q.author_name.empty()) return nullptr;
    return boost::json::object{{"name", q.author_name}};
  }
  const bool shown = !q.anonymous || v == view::owner || (v == view::staff && names_to_moderators);
  if (!shown) return nullptr;
  return boost::json::object{
      {"id", q.author_id}, {"name", q.author_name}, {"role", auth::to_string(q.author_role)}};
}

}  // namespace

boost::json::object to_json(const question& q, view v, bool names_to_moderators) {
  boost::json::object o;
  o["id"] = q.id;
  o["room"] = q.room;
  o["text"] = q.text;
  o["status"] = to_string(q.status);
  o["pinned"] = q.pinned;
  o["source"] = to_string(q.source);
  o["press"] = q.press;
  o["anonymous"] = q.anonymous;
  o["author"] = author_json(q, v, names_to_moderators);
  o["votes"] = q.votes;
  o["created"] = q.created_ms;
  o["updated"] = q.updated_ms;
  o["edited"] = q.edited;
  if (q.merged_into.empty())
    o["merged_into"] = nullptr;
  else
    o["merged_into"] = q.merged_into;
  boost::json::array from;
  for (const auto& id : q.merged_from) from.emplace_back(id);
  o["merged_from"] = std::move(from);
  // A rejection's reason is for the asker and the staff, not for the room.
  if (v == view::everyone || q.reason.empty())
    o["reason"] = nullptr;
  else
    o["reason"] = q.reason;
  o["mine"] = v == view::owner;
  return o;
}

boost::json::object to_json(const poll& p, view v) {
  const bool counts = v == view::staff || p.results != poll_results::hidden;
  boost::json::object o;
  o["id"] = p.id;
  o["room"] = p.room;
  o["text"] = p.text;
  o["kind"] = to_string(p.kind);
  boost::json::array options;
  for (std::size_t i = 0; i < p.options.size(); ++i) {
    boost::json::object option{{"text", p.options[i]}};
    if (counts)
      option["votes"] = i < p.counts.size() ? p.counts[i] : 0;
    else
      option["votes"] = nullptr;
    options.emplace_back(std::move(option));
  }
  o["options"] = std::move(options);
  if (counts)
    o["voters"] = p.voters;
  else
    o["voters"] = nullptr;
  o["state"] = to_string(p.state);
  o["results"] = to_string(p.results);
  o["created"] = p.created_ms;
  return o;
}

}  // namespace samling::qa
