#pragma once
// SQLite implementation of press::press_store over the tables of migration 15 (press
// accreditations, grants, interview requests, the viewing audit, device refusals, settings).
// Keeps its prepared statements for the life of the object. Not thread-safe: owned by the
// store's one blocking thread (db_pool), like the other stores; the sqlite_db must outlive it.
// Throws store_error.
//
// in_transaction() opens one write transaction on the sqlite_db; every store call made on the
// same sqlite_db while it is open (this store's methods, sqlite_outbox_store::enqueue, the audit
// log) is part of it, and a method that needs several statements takes a savepoint inside it
// (store::transaction), so each method works alike inside and outside in_transaction().
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "press/press.hpp"
#include "store/sqlite_db.hpp"
#include "store/statement.hpp"

namespace samling::store {

class sqlite_press_store final : public press::press_store {
 public:
  // Prepares every statement now, so a schema this code does not match fails at start-up.
  explicit sqlite_press_store(sqlite_db& db);

  void in_transaction(const std::function<void()>& fn) override;

  void add_accreditation(const press::accreditation& a, std::string_view manage_hash) override;
  std::optional<press::accreditation> find_accreditation(std::string_view id) override;
  std::optional<press::accreditation> find_accreditation_by_manage(std::string_view manage_hash) override;
  std::vector<press::accreditation> list_accreditations(std::string_view event_id,
                                                        std::optional<press::accreditation_state> state) override;
  bool update_accreditation(const press::accreditation& a) override;

  void add_grant(const press::grant_record& g) override;
  std::optional<press::grant_record> find_grant(std::string_view id) override;
  std::vector<press::grant_record> list_grants(std::string_view event_id) override;
  bool revoke_grant(std::string_view id, std::int64_t at, std::string_view by, std::string_view reason) override;
  std::vector<std::pair<std::string, std::int64_t>> revoked_grants() override;

  void add_interview(const press::interview& i) override;
  std::optional<press::interview> find_interview(std::string_view id) override;
  std::optional<press::interview> find_interview_by_speaker(std::string_view speaker_hash) override;
  std::vector<press::interview> list_interviews(std::string_view event_id) override;
  std::vector<press::interview> list_interviews_of(std::string_view grant_id) override;
  bool update_interview(const press::interview& i) override;
  bool set_speaker_link(std::string_view interview_id, std::string_view speaker_hash,
                        std::string_view speaker_email) override;

  // A record's name and user agent replace the stored ones when its last_at is not older than
  // the row's (a late flush of older counts does not bring back an old name).
  void add_views(const std::vector<press::view_record>& views) override;
  std::vector<press::view_record> list_views(std::string_view event_id) override;
  void add_refusals(const std::vector<press::device_refusal>& refusals) override;
  std::vector<press::device_refusal> list_refusals(std::string_view event_id) override;

  std::optional<press::press_settings> find_settings(std::string_view event_id) override;
  void save_settings(const press::press_settings& s) override;

 private:
  std::optional<press::accreditation> one_accreditation(statement& s);
  std::optional<press::grant_record> one_grant(statement& s);
  std::optional<press::interview> one_interview(statement& s);
  std::vector<press::interview> interviews(statement& s);

  sqlite_db& db_;
  statement insert_accreditation_;
  statement accreditation_by_id_;
  statement accreditation_by_manage_;
  statement accreditations_of_event_;
  statement accreditations_in_state_;
  statement update_accreditation_;
  statement insert_grant_;
  statement grant_by_id_;
  statement grants_of_event_;
  statement revoke_grant_;
  statement revoked_grants_;
  statement insert_interview_;
  statement interview_by_id_;
  statement interview_by_speaker_;
  statement interviews_of_event_;
  statement interviews_of_grant_;
  statement update_interview_;
  statement set_speaker_link_;
  statement add_view_;
  statement views_of_event_;
  statement insert_refusal_;
  statement refusals_of_event_;
  statement settings_by_event_;
  statement save_settings_;
};

}  // namespace samling::store
