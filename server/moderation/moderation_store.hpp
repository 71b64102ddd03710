#pragma once
// What chat moderation needs from storage (docs/protocol.md, "Moderation"): an event's mutes,
// bans and word list, each room's slow mode and lock, the moderation log, and two reads of the
// chat it moderates (a user's last post in a room, for slow mode; a user's last name in the
// event, for the lists). Implementations block (SQLite): call them on the store's thread,
// inside a room op's savepoint where they write. Failures throw (store::store_error).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace samling::moderation {

// Who did a moderator action (the lists show it; the log keeps its own copy).
struct actor_ref {
  std::string id;
  std::string name;
  bool operator==(const actor_ref&) const = default;
};

// A user who may not post in any room of the event until `until_ms`.
struct mute_record {
  std::string event_id;
  std::string user_id;
  std::string user_name;
  std::int64_t until_ms = 0;
  std::string reason;   // "" when none given
  actor_ref by;
  std::int64_t at_ms = 0;
  bool operator==(const mute_record&) const = default;
};

// A user banned from the event: refused at hello, their connections closed (docs/protocol.md).
struct ban_record {
  std::string event_id;
  std::string user_id;
  std::string user_name;
  std::string reason;
  actor_ref by;
  std::int64_t at_ms = 0;
  bool operator==(const ban_record&) const = default;
};

// A room's chat settings; a room never set has the defaults.
struct chat_settings {
  std::int64_t slow_mode_seconds = 0;  // 0: off
  bool locked = false;                 // only staff post
  bool operator==(const chat_settings&) const = default;
};

// One record of the moderation log: who (actor), what (action, target), when (ts_ms), why
// (reason) and where (event, room). `id` is given by the store (increasing).
struct log_record {
  std::int64_t id = 0;
  std::int64_t ts_ms = 0;
  std::string event_id, room, actor_id, actor_name, actor_role, action, target, reason;
  bool operator==(const log_record&) const = default;
};

class moderation_store {
 public:
  virtual ~moderation_store() = default;

  // Mutes: one per (event, user); muting again replaces the earlier one.
  virtual void put_mute(const mute_record& m) = 0;
  // False when the user had no mute (expired or not).
  virtual bool remove_mute(const std::string& event_id, const std::string& user_id) = 0;
  virtual std::optional<mute_record> mute_of(const std::string& event_id,
                                             const std::string& user_id) = 0;
  // The event's mutes still running at now_ms (until_ms > now_ms), soonest end first.
  virtual std::vector<mute_record> mutes(const std::string& event_id, std::int64_t now_ms) = 0;

  // Bans: one per (event, user); banning again replaces the earlier one.
  virtual void put_ban(const ban_record& b) = 0;
  virtual bool remove_ban(const std::string& event_id, const std::string& user_id) = 0;
  virtual std::optional<ban_record> ban_of(const std::string& event_id,
                                           const std::string& user_id) = 0;
  // The event's bans, oldest first.
  virtual std::vector<ban_record> bans(const std::string& event_id) = 0;

  // Room settings ("EVENT_ID/ROOM_ID").
  virtual chat_settings settings(const std::string& room) = 0;
  virtual void set_slow_mode(const std::string& room, std::int64_t seconds) = 0;
  virtual void set_locked(const std::string& room, bool locked) = 0;

  // The event's word list, as the moderator entered the words (each once by its folded form),
  // in the order given.
  virtual std::vector<std::string> words(const std::string& event_id) = 0;
  virtual void set_words(const std::string& event_id, const std::vector<std::string>& words) = 0;
  // A cheap value that changes whenever the event's list does ("" for no list): the post gate
  // keeps the list prepared for matching and reads it again only when this changes.
  virtual std::string words_stamp(const std::string& event_id) = 0;

  // From the chat: the time of the user's latest message in the room (held and deleted ones
  // count: they were posted), and the name the user last posted under in the event.
  virtual std::optional<std::int64_t> last_post_ms(const std::string& room,
                                                   const std::string& user_id) = 0;
  virtual std::optional<std::string> last_name(const std::string& event_id,
                                               const std::string& user_id) = 0;
  // The role (wire name) the user last posted with in the event, if they posted.
  virtual std::optional<std::string> last_role(const std::string& event_id,
                                               const std::string& user_id) = 0;

  // The moderation log (append only). log() ignores r.id: the store numbers the records.
  virtual void log(const log_record& r) = 0;
  // The event's records, oldest first.
  virtual std::vector<log_record> log_entries(const std::string& event_id) = 0;
};

}  // namespace samling::moderation
