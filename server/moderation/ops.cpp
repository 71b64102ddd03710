#include "moderation/ops.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <utility>

#include <boost/json/array.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include "auth/role.hpp"
#include "moderation/actions.hpp"
#include "moderation/audit.hpp"
#include "moderation/guests.hpp"
#include "moderation/moderation_store.hpp"
#include "moderation/snapshot.hpp"
#include "moderation/words.hpp"
#include "protocol/frames.hpp"
#include "rooms/text_rules.hpp"

namespace samling::moderation {
namespace {

namespace json = boost::json;
using core::errc;
using rooms::log_entry;
using rooms::op_env;
using rooms::op_outcome;

// A mute longer than this is a ban in all but name: refused as a mistake (a typo of units).
// The same bound as the request decoder's (protocol::mute_max_seconds), for ops bound otherwise.
constexpr std::int64_t max_mute_seconds = 366LL * 24 * 3600;
// Slow mode: one message per N seconds, 0 = off (docs/protocol.md, moderate).
constexpr std::int64_t max_slow_mode_seconds = 3600;

constexpr std::array<std::pair<moderate_action, std::string_view>, 10> action_names{{
    {moderate_action::delete_message, "delete_message"},
    {moderate_action::release_message, "release_message"},
    {moderate_action::mute, "mute"},
    {moderate_action::unmute, "unmute"},
    {moderate_action::ban, "ban"},
    {moderate_action::unban, "unban"},
    {moderate_action::slow_mode, "slow_mode"},
    {moderate_action::lock, "lock"},
    {moderate_action::unlock, "unlock"},
    {moderate_action::words, "words"},
}};

std::string event_of(const std::string& room) { return room.substr(0, room.find('/')); }

op_outcome failure(errc e, std::string message = {}) {
  op_outcome out;
  out.error = e;
  out.message = std::move(message);
  return out;
}

json::value or_null(const std::string& s) { return s.empty() ? json::value(nullptr) : json::value(s); }

json::object user_json(const std::string& id, const std::string& name) {
  return {{"id", id}, {"name", name}};
}

json::object actor_json(const rooms::chat_user& u) {
  return {{"id", u.id}, {"name", u.name}, {"role", auth::to_string(u.role)}};
}

// The message object as the `message` event writes it (protocol::event), so a client applies a
// released or held message exactly as a posted one.
std::string message_object(const rooms::chat_message& m, bool held) {
  protocol::user_ref user{m.user.id, m.user.name, m.user.role};
  return *protocol::event(
      protocol::message_event{m.room, m.seq, m.ts_ms, user, m.text, m.client_msg_id, held});
}

// A log entry of `type` with the room's next seq, and the head of its event object (type, room,
// seq, ts), to which the caller adds its fields before it sets the entry's views.
struct entry_head {
  log_entry entry;
  json::object head;
};
entry_head begin_entry(op_env& env, std::string type) {
  entry_head e;
  e.entry.room = env.room;
  e.entry.seq = env.take_seq();
  e.entry.ts_ms = env.now_ms;
  e.entry.type = type;
  e.head["type"] = type;
  e.head["room"] = env.room;
  e.head["seq"] = e.entry.seq;
  e.head["ts"] = env.now_ms;
  return e;
}

// Who sees a `moderation` event (docs/protocol.md, Events): the room's settings are everyone's
// business; who is muted or banned, the word list and deletions' reasons are staff's; a muted
// user learns of their own mute and unmute.
enum class audience { everyone, staff, staff_and_owner };

// The `moderation` event: action, user, until, seconds, reason, by (+ `extra` fields).
log_entry moderation_entry(op_env& env, std::string_view action, audience who,
                           const std::string& user_id, const std::string& user_name,
                           std::optional<std::int64_t> until, std::optional<std::int64_t> seconds,
                           const std::string& reason, json::object extra = {}) {
  auto e = begin_entry(env, "moderation");
  auto& o = e.head;
  o["action"] = action;
  o["user"] = user_id.empty() ? json::value(nullptr) : json::value(user_json(user_id, user_name));
  o["until"] = until ? json::value(*until) : json::value(nullptr);
  o["seconds"] = seconds ? json::value(*seconds) : json::value(nullptr);
  o["reason"] = or_null(reason);
  o["by"] = actor_json(env.actor);
  for (auto& kv : extra) o[kv.key()] = kv.value();
  auto text = json::serialize(o);
  switch (who) {
    case audience::everyone:
      e.entry.everyone_json = std::move(text);
      break;
    case audience::staff:
      e.entry.staff_json = std::move(text);
      break;
    case audience::staff_and_owner:
      e.entry.staff_json = text;
      e.entry.owner_id = user_id;
      e.entry.owner_json = std::move(text);
      break;
  }
  return std::move(e.entry);
}

json::object result_head(const op_env& env, moderate_action a) {
  return {{"room", env.room}, {"action", to_string(a)}};
}

op_outcome done(json::object result, std::vector<log_entry> entries) {
  op_outcome out;
  out.result_json = json::serialize(result);
  out.entries = std::move(entries);
  return out;
}

// The name a user is listed under: the moderator's, else the one they last posted under in
// the event, else their id.
std::string listed_name(moderation_store& store, const op_env& env, const moderate_args& a) {
  if (!a.user_name.empty()) return a.user_name;
  if (auto n = store.last_name(env.event_id, a.user_id)) return *n;
  return a.user_id;
}

// What a log record names as the target: "user:ID (NAME)"; the id is what the lists key on,
// the name what a reader of the log recognises.
std::string user_target(const std::string& id, const std::string& name) {
  return "user:" + id + " (" + name + ")";
}

void audit(op_env& env, std::string_view action, std::string_view target, std::string_view reason) {
  if (env.audit) env.audit(action, target, reason);
}

// --- the actions ------------------------------------------------------------------------------

op_outcome delete_message(rooms::chat_store& chat, op_env& env, const moderate_args& a) {
  if (a.seq == 0) return failure(errc::bad_message, "delete_message needs \"seq\".");
  auto m = chat.find(env.room, a.seq);
  if (!m) return failure(errc::no_such_message);
  chat.mark_deleted(env.room, a.seq, env.actor.id, a.reason, env.now_ms);
  // Everyone drops the message from their view and history; a held one only staff and its
  // author ever saw, so only they are told.
  auto gone = begin_entry(env, "message_deleted");
  gone.head["deleted_seq"] = a.seq;
  gone.entry.hides_seq = a.seq;
  auto text = json::serialize(gone.head);
  if (m->held) {
    gone.entry.staff_json = text;
    gone.entry.owner_id = m->user.id;
    gone.entry.owner_json = std::move(text);
  } else {
    gone.entry.everyone_json = std::move(text);
  }
  std::vector<log_entry> entries;
  entries.push_back(std::move(gone.entry));
  // Staff also get who was deleted and why.
  entries.push_back(moderation_entry(env, "delete_message", audience::staff, m->user.id, m->user.name,
                                     std::nullopt, std::nullopt, a.reason,
                                     {{"deleted_seq", a.seq}}));
  // Gone for the audience, kept in the moderation log: the record says whose message it was
  // and what it said (the chat keeps the row too, marked deleted, for the export's staff view).
  audit(env, "delete_message",
        "msg:" + std::to_string(a.seq) + " " + user_target(m->user.id, m->user.name) + ": " + m->text,
        a.reason);
  auto result = result_head(env, a.action);
  result["seq"] = a.seq;
  result["reason"] = or_null(a.reason);
  return done(std::move(result), std::move(entries));
}

op_outcome release_message(rooms::chat_store& chat, op_env& env, const moderate_args& a) {
  if (a.seq == 0) return failure(errc::bad_message, "release_message needs \"seq\".");
  auto m = chat.find(env.room, a.seq);
  if (!m || !m->held) return failure(errc::no_such_message, "No held message with this seq in this room.");
  chat.set_held(env.room, a.seq, false);
  m->held = false;
  auto shown = begin_entry(env, "message_released");
  shown.head["message"] = json::parse(message_object(*m, false));
  shown.entry.shows_seq = a.seq;
  shown.entry.everyone_json = json::serialize(shown.head);
  audit(env, "release_message", "msg:" + std::to_string(a.seq), a.reason);
  auto result = result_head(env, a.action);
  result["seq"] = a.seq;
  std::vector<log_entry> entries;
  entries.push_back(std::move(shown.entry));
  return done(std::move(result), std::move(entries));
}

op_outcome check_user(const op_env& env, const moderate_args& a) {
  if (a.user_id.empty())
    return failure(errc::bad_message, std::string(to_string(a.action)) + " needs \"user\".");
  if (a.user_id == env.actor.id)
    return failure(errc::bad_message, "A moderator cannot " + std::string(to_string(a.action)) + " themselves.");
  return {};
}

op_outcome mute(moderation_store& store, op_env& env, const moderate_args& a) {
  if (auto bad = check_user(env, a); bad.error != errc::ok) return bad;
  if (a.seconds <= 0 || a.seconds > max_mute_seconds)
    return failure(errc::bad_message, "mute needs \"seconds\" from 1 to " +
                                          std::to_string(max_mute_seconds) + ".");
  const auto name = listed_name(store, env, a);
  const std::int64_t until = env.now_ms + a.seconds * 1000;
  store.put_mute({.event_id = env.event_id,
                  .user_id = a.user_id,
                  .user_name = name,
                  .until_ms = until,
                  .reason = a.reason,
                  .by = {env.actor.id, env.actor.name},
                  .at_ms = env.now_ms});
  std::vector<log_entry> entries;
  entries.push_back(moderation_entry(env, "mute", audience::staff_and_owner, a.user_id, name, until,
                                     a.seconds, a.reason));
  audit(env, "mute", user_target(a.user_id, name) + " seconds:" + std::to_string(a.seconds), a.reason);
  auto result = result_head(env, a.action);
  result["user"] = user_json(a.user_id, name);
  result["until"] = until;
  result["seconds"] = a.seconds;
  result["reason"] = or_null(a.reason);
  return done(std::move(result), std::move(entries));
}

op_outcome unmute(moderation_store& store, op_env& env, const moderate_args& a) {
  if (auto bad = check_user(env, a); bad.error != errc::ok) return bad;
  auto earlier = store.mute_of(env.event_id, a.user_id);
  const auto name = !a.user_name.empty() ? a.user_name
                    : earlier            ? earlier->user_name
                                         : listed_name(store, env, a);
  // Lifting a mute that is not there (ended, or never) still answers and is logged: the
  // moderator's view and the lists agree afterwards either way.
  store.remove_mute(env.event_id, a.user_id);
  std::vector<log_entry> entries;
  entries.push_back(moderation_entry(env, "unmute", audience::staff_and_owner, a.user_id, name,
                                     std::nullopt, std::nullopt, a.reason));
  audit(env, "unmute", user_target(a.user_id, name), a.reason);
  auto result = result_head(env, a.action);
  result["user"] = user_json(a.user_id, name);
  return done(std::move(result), std::move(entries));
}

op_outcome ban(moderation_store& store, op_env& env, const moderate_args& a) {
  if (auto bad = check_user(env, a); bad.error != errc::ok) return bad;
  const auto name = listed_name(store, env, a);
  store.put_ban({.event_id = env.event_id,
                 .user_id = a.user_id,
                 .user_name = name,
                 .reason = a.reason,
                 .by = {env.actor.id, env.actor.name},
                 .at_ms = env.now_ms});
  std::vector<log_entry> entries;
  entries.push_back(moderation_entry(env, "ban", audience::staff, a.user_id, name, std::nullopt,
                                     std::nullopt, a.reason));
  audit(env, "ban", user_target(a.user_id, name), a.reason);
  auto result = result_head(env, a.action);
  result["user"] = user_json(a.user_id, name);
  result["reason"] = or_null(a.reason);
  auto out = done(std::move(result), std::move(entries));
  out.close_users.push_back(a.user_id);
  return out;
}

op_outcome unban(moderation_store& store, op_env& env, const moderate_args& a) {
  if (auto bad = check_user(env, a); bad.error != errc::ok) return bad;
  auto earlier = store.ban_of(env.event_id, a.user_id);
  const auto name = !a.user_name.empty() ? a.user_name
                    : earlier            ? earlier->user_name
                                         : listed_name(store, env, a);
  store.remove_ban(env.event_id, a.user_id);
  std::vector<log_entry> entries;
  entries.push_back(moderation_entry(env, "unban", audience::staff, a.user_id, name, std::nullopt,
                                     std::nullopt, a.reason));
  audit(env, "unban", user_target(a.user_id, name), a.reason);
  auto result = result_head(env, a.action);
  result["user"] = user_json(a.user_id, name);
  return done(std::move(result), std::move(entries));
}

op_outcome slow_mode(moderation_store& store, op_env& env, const moderate_args& a) {
  if (a.seconds < 0 || a.seconds > max_slow_mode_seconds)
    return failure(errc::bad_message, "slow_mode needs \"seconds\" from 0 (off) to " +
                                          std::to_string(max_slow_mode_seconds) + ".");
  store.set_slow_mode(env.room, a.seconds);
  std::vector<log_entry> entries;
  entries.push_back(moderation_entry(env, "slow_mode", audience::everyone, {}, {}, std::nullopt,
                                     a.seconds, a.reason));
  // The room is the log record's own column; the target says what it was set to.
  audit(env, "slow_mode", "seconds:" + std::to_string(a.seconds), a.reason);
  auto result = result_head(env, a.action);
  result["seconds"] = a.seconds;
  return done(std::move(result), std::move(entries));
}

op_outcome lock(moderation_store& store, op_env& env, const moderate_args& a, bool locked) {
  store.set_locked(env.room, locked);
  std::vector<log_entry> entries;
  entries.push_back(moderation_entry(env, to_string(a.action), audience::everyone, {}, {},
                                     std::nullopt, std::nullopt, a.reason));
  audit(env, to_string(a.action), "", a.reason);
  auto result = result_head(env, a.action);
  result["locked"] = locked;
  return done(std::move(result), std::move(entries));
}

op_outcome words(moderation_store& store, op_env& env, const moderate_args& a) {
  auto list = a.words;
  if (auto problem = normalize_words(list); !problem.empty())
    return failure(errc::bad_message, std::move(problem));
  store.set_words(env.event_id, list);
  json::array words_json;
  for (auto& w : list) words_json.emplace_back(w);
  std::vector<log_entry> entries;
  entries.push_back(moderation_entry(env, "words", audience::staff, {}, {}, std::nullopt,
                                     std::nullopt, a.reason, {{"words", words_json}}));
  audit(env, "words", "words:" + std::to_string(list.size()), a.reason);
  auto result = result_head(env, a.action);
  result["words"] = std::move(words_json);
  return done(std::move(result), std::move(entries));
}

// The word list of the event, prepared once and reused while the stored list is unchanged (its
// stamp, one short row): the gate runs for every post, and reading and folding 500 words each
// time would be most of its cost. Only the store's thread calls the gate; thread_local keeps
// unit tests on other threads apart. Several events take turns: a few are kept.
const word_list& prepared_words(moderation_store& store, const std::string& event_id, std::string stamp) {
  struct cached {
    std::string event_id;
    std::string stamp;
    word_list list{{}};
  };
  thread_local std::vector<cached> cache;
  for (auto& c : cache)
    if (c.event_id == event_id && c.stamp == stamp) return c.list;
  constexpr std::size_t kept = 8;
  auto it = std::find_if(cache.begin(), cache.end(), [&](const cached& c) { return c.event_id == event_id; });
  if (it == cache.end()) {
    if (cache.size() >= kept) cache.erase(cache.begin());
    cache.push_back({event_id, {}, word_list({})});
    it = cache.end() - 1;
  }
  it->list = word_list(store.words(event_id));
  it->stamp = std::move(stamp);
  return it->list;
}

std::string seconds_text(std::int64_t ms) {
  const auto s = (ms + 999) / 1000;
  if (s < 120) return std::to_string(s) + " s";
  return std::to_string((s + 59) / 60) + " min";
}

}  // namespace

std::string_view to_string(moderate_action a) {
  for (auto& [action, name] : action_names)
    if (action == a) return name;
  return "unknown";
}

std::optional<moderate_action> action_from_string(std::string_view name) {
  for (auto& [action, n] : action_names)
    if (n == name) return action;
  return std::nullopt;
}

log_record audit_record(const op_env& env, std::string_view action, std::string_view target,
                        std::string_view reason) {
  return {.id = 0,
          .ts_ms = env.now_ms,
          .event_id = env.event_id,
          .room = env.room,
          .actor_id = env.actor.id,
          .actor_name = env.actor.name,
          .actor_role = std::string(auth::to_string(env.actor.role)),
          .action = std::string(action),
          .target = std::string(target),
          .reason = std::string(reason)};
}

std::function<void(const op_env&, std::string_view, std::string_view, std::string_view)> audit_to(
    moderation_store& store) {
  return [&store](const op_env& env, std::string_view action, std::string_view target,
                  std::string_view reason) { store.log(audit_record(env, action, target, reason)); };
}

op_outcome moderate(moderation_store& store, rooms::chat_store& chat, op_env& env,
                    const moderate_args& a) {
  // The session checks moderate_chat before it builds the op; this keeps an op bound by
  // mistake from acting for anyone else.
  if (!env.staff) return failure(errc::forbidden, "Only moderators and organizers moderate the chat.");
  switch (a.action) {
    case moderate_action::delete_message: return delete_message(chat, env, a);
    case moderate_action::release_message: return release_message(chat, env, a);
    case moderate_action::mute: return mute(store, env, a);
    case moderate_action::unmute: return unmute(store, env, a);
    case moderate_action::ban: return ban(store, env, a);
    case moderate_action::unban: return unban(store, env, a);
    case moderate_action::slow_mode: return slow_mode(store, env, a);
    case moderate_action::lock: return lock(store, env, a, true);
    case moderate_action::unlock: return lock(store, env, a, false);
    case moderate_action::words: return words(store, env, a);
  }
  return failure(errc::bad_message, "Unknown moderate action.");
}

rooms::post_verdict gate_post(moderation_store& store, const rooms::chat_message& m, bool staff) {
  rooms::post_verdict v;
  if (staff) return v;
  const auto event_id = event_of(m.room);
  const bool guest = m.user.role == auth::role::guest && m.user.id.starts_with("g-");
  // In the documented order: banned, muted, locked, slow mode, then the word list.
  // A guest's ban and mute also follow their name (moderation/guests.hpp).
  if (store.ban_of(event_id, m.user.id) ||
      (guest && is_banned_guest_name(store, event_id, m.user.name))) {
    v.error = errc::banned;
    return v;
  }
  auto mute = store.mute_of(event_id, m.user.id);
  const auto running = [&] { return mute && mute->until_ms > m.ts_ms; };
  if (guest && !running()) mute = guest_mute_for_name(store, event_id, m.user.name, m.ts_ms);
  if (running()) {
    v.error = errc::muted;
    v.retry_after_ms = mute->until_ms - m.ts_ms;
    v.message = "A moderator has muted you for " + seconds_text(*v.retry_after_ms) + " more" +
                (mute->reason.empty() ? "." : ": " + mute->reason);
    return v;
  }
  const auto settings = store.settings(m.room);
  if (settings.locked) {
    v.error = errc::room_locked;
    return v;
  }
  if (settings.slow_mode_seconds > 0) {
    const std::int64_t gap_ms = settings.slow_mode_seconds * 1000;
    if (auto last = store.last_post_ms(m.room, m.user.id); last && m.ts_ms - *last < gap_ms) {
      v.error = errc::slow_mode;
      v.retry_after_ms = *last + gap_ms - m.ts_ms;
      v.message = "Slow mode: one message every " + std::to_string(settings.slow_mode_seconds) +
                  " s; wait " + seconds_text(*v.retry_after_ms) + ".";
      return v;
    }
  }
  if (auto stamp = store.words_stamp(event_id); !stamp.empty())
    v.held = prepared_words(store, event_id, std::move(stamp)).matches(m.text);
  return v;
}

namespace {
bool is_guest_id(const std::string& id) { return id.starts_with("g-"); }
}  // namespace

bool is_banned_guest_name(moderation_store& store, const std::string& event_id, const std::string& name) {
  const auto key = rooms::name_key(name);
  for (const auto& b : store.bans(event_id))
    if (is_guest_id(b.user_id) && rooms::name_key(b.user_name) == key) return true;
  return false;
}

std::optional<mute_record> guest_mute_for_name(moderation_store& store, const std::string& event_id,
                                               const std::string& name, std::int64_t now_ms) {
  const auto key = rooms::name_key(name);
  for (auto& m : store.mutes(event_id, now_ms))
    if (is_guest_id(m.user_id) && rooms::name_key(m.user_name) == key) return m;
  return std::nullopt;
}

bool is_banned(moderation_store& store, const std::string& event_id, const std::string& user_id) {
  return store.ban_of(event_id, user_id).has_value();
}

json::object room_settings(moderation_store& store, const std::string& room) {
  const auto s = store.settings(room);
  return {{"slow_mode_seconds", s.slow_mode_seconds}, {"locked", s.locked}};
}

json::object staff_snapshot(moderation_store& store, rooms::chat_store& chat,
                            const std::string& event_id, const std::string& room,
                            std::int64_t now_ms) {
  json::array muted;
  for (const auto& m : store.mutes(event_id, now_ms))
    muted.push_back(json::object{{"user", user_json(m.user_id, m.user_name)},
                                 {"until", m.until_ms},
                                 {"reason", or_null(m.reason)},
                                 {"by", user_json(m.by.id, m.by.name)},
                                 {"at", m.at_ms}});
  json::array banned;
  for (const auto& b : store.bans(event_id))
    banned.push_back(json::object{{"user", user_json(b.user_id, b.user_name)},
                                  {"reason", or_null(b.reason)},
                                  {"at", b.at_ms},
                                  {"by", user_json(b.by.id, b.by.name)}});
  json::array words_json;
  for (auto& w : store.words(event_id)) words_json.emplace_back(w);
  json::array held;
  for (const auto& m : chat.held_messages(room)) held.push_back(json::parse(message_object(m, true)));
  return {{"muted", std::move(muted)},
          {"banned", std::move(banned)},
          {"words", std::move(words_json)},
          {"held", std::move(held)}};
}

json::object staff_snapshot(moderation_store& store, rooms::chat_store& chat,
                            const std::string& event_id, const std::string& room) {
  const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  return staff_snapshot(store, chat, event_id, room, now);
}

}  // namespace samling::moderation

namespace samling::moderation {

void extend_snapshot(boost::json::object& qa, moderation_store& store, rooms::chat_store& chat,
                     const rooms::op_env& env) {
  auto& slot = qa["settings"];
  if (!slot.is_object()) slot = boost::json::object{};
  auto& settings = slot.as_object();
  for (auto& kv : room_settings(store, env.room)) settings[kv.key()] = kv.value();
  if (env.staff) qa["moderation"] = staff_snapshot(store, chat, env.event_id, env.room, env.now_ms);
}

}  // namespace samling::moderation
