#pragma once
// Kiosk links: the projector view of one room, opened without sign-in, revocable
// (docs/api.md, "Projector and kiosk links"). Blocking (SQLite): call on the store's thread.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace samling::projector {

struct kiosk_link {
  std::string id;          // 32 random hex characters: the secret in the link
  std::string event_id;
  std::string room_id;
  std::string created_by;  // account id or token subject
  std::int64_t created_ms = 0;
  std::optional<std::int64_t> revoked_ms;
};

class kiosk_store {
 public:
  virtual ~kiosk_store() = default;
  virtual void insert(const kiosk_link& link) = 0;
  virtual std::optional<kiosk_link> find(const std::string& id) = 0;
  virtual std::vector<kiosk_link> list(const std::string& event_id) = 0;
  // False when there is no such link of that event.
  virtual bool revoke(const std::string& event_id, const std::string& id, std::int64_t now_ms) = 0;
};

}  // namespace samling::projector
