// docs/protocol.md is the contract: every request type the server takes, every message type it
// sends and what each role may do are written there, and checked here against the code's
// tables (protocol/requests.cpp, protocol/frames.cpp, rooms/permissions.cpp).
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "protocol/frames.hpp"
#include "protocol/requests.hpp"
#include "rooms/permissions.hpp"

using samling::auth::role;
using samling::rooms::action;
using samling::rooms::can;

namespace {

std::string read_doc() {
  std::ifstream in(std::string(SAMLING_SOURCE_DIR) + "/docs/protocol.md");
  std::stringstream doc;
  doc << in.rdbuf();
  return doc.str();
}

// The text of the section that starts with `heading` (a whole line), up to the next heading of
// the same or a higher level.
std::string section(const std::string& doc, const std::string& heading) {
  auto start = doc.find("\n" + heading + "\n");
  if (start == std::string::npos) return {};
  start += 1;
  auto level = heading.substr(0, heading.find(' ') + 1);  // "## "
  auto end = start + heading.size();
  while (true) {
    end = doc.find("\n#", end);
    if (end == std::string::npos) return doc.substr(start);
    auto hashes = doc.find(' ', end + 1) - (end + 1);
    if (hashes <= level.size() - 1) return doc.substr(start, end - start);
    ++end;
  }
}

// The names of the "### `name`" headings in `text`.
std::set<std::string> code_headings(const std::string& text) {
  std::set<std::string> out;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);)
    if (line.rfind("### `", 0) == 0 && line.size() > 6 && line.back() == '`')
      out.insert(line.substr(5, line.size() - 6));
  return out;
}

std::vector<std::string> cells(const std::string& line) {
  std::vector<std::string> out;
  std::istringstream parts(line.substr(1));
  for (std::string c; std::getline(parts, c, '|');) {
    auto b = c.find_first_not_of(' '), e = c.find_last_not_of(' ');
    out.push_back(b == std::string::npos ? std::string() : c.substr(b, e - b + 1));
  }
  return out;
}

// One column of the role table: its header and the cell a role gets, from the permission table.
struct column {
  std::string header;
  std::set<action> shows;
  std::string (*cell)(role r);
};
std::string yes(bool b) { return b ? "yes" : "—"; }
std::string own_event(bool b) { return b ? "own event" : "—"; }
const column columns[] = {
    {"main stage, seminars",
     {action::join_room, action::join_guest_room},
     [](role r) -> std::string {
       if (can(r, action::join_room)) return "join";
       return can(r, action::join_guest_room) ? "rooms with `\"guests\": true`" : "—";
     }},
    {"press room",
     {action::join_press_room},
     [](role r) -> std::string { return can(r, action::join_press_room) ? "join" : "—"; }},
    {"post", {action::post}, [](role r) { return yes(can(r, action::post)); }},
    {"`members` / member lists",
     {action::see_member_lists},
     [](role r) { return yes(can(r, action::see_member_lists)); }},
    {"stages: staff view",
     {action::see_stage_staff_view},
     [](role r) { return own_event(can(r, action::see_stage_staff_view)); }},
    {"stages: start, stop, outputs, recordings",
     {action::control_stages},
     [](role r) { return own_event(can(r, action::control_stages)); }},
    {"program: edit, import, publish",
     {action::edit_program},
     [](role r) { return own_event(can(r, action::edit_program)); }},
    {"registrations",
     {action::manage_registrations},
     [](role r) { return own_event(can(r, action::manage_registrations)); }},
    {"staff, audit log",
     {action::manage_staff},
     [](role r) { return own_event(can(r, action::manage_staff)); }},
    {"e-mail outbox",
     {action::read_outbox},
     [](role r) { return own_event(can(r, action::read_outbox)); }},
    {"`ask`", {action::ask_question}, [](role r) { return yes(can(r, action::ask_question)); }},
    {"`vote`, `poll_vote`", {action::vote}, [](role r) { return yes(can(r, action::vote)); }},
    {"`question`, hall questions, pre-moderation",
     {action::moderate_qa},
     [](role r) { return own_event(can(r, action::moderate_qa)); }},
    {"`poll_create`, `poll`",
     {action::manage_polls},
     [](role r) { return own_event(can(r, action::manage_polls)); }},
    {"`moderate`, moderation log",
     {action::moderate_chat},
     [](role r) { return own_event(can(r, action::moderate_chat)); }},
    {"room export",
     {action::export_room},
     [](role r) { return own_event(can(r, action::export_room)); }},
    {"projector links",
     {action::manage_kiosk},
     [](role r) { return own_event(can(r, action::manage_kiosk)); }},
    {"press: accreditation, grants, interviews, press audit",
     {action::manage_press},
     [](role r) { return own_event(can(r, action::manage_press)); }},
};

// The events a room's log carries besides chat messages (rooms/room_log.hpp): the Q&A and
// moderation operations serialize them themselves (qa/views, moderation/ops), so they are not
// frame types of protocol/frames; their `type` is log_entry::type.
const std::set<std::string> log_entry_types{"question",        "votes",           "poll",      "poll_results",
                                            "message_deleted", "message_released", "moderation"};

}  // namespace

TEST(protocol_doc, every_message_type_the_server_sends_is_documented) {
  auto doc = read_doc();
  ASSERT_FALSE(doc.empty());
  std::set<std::string> types(log_entry_types);
  for (auto& type : samling::protocol::server_message_types()) types.insert(type);
  for (auto& type : types)
    EXPECT_NE(doc.find("{\"type\": \"" + type + "\""), std::string::npos)
        << "no example of a \"" << type << "\" frame in docs/protocol.md";
}

TEST(protocol_doc, the_events_section_lists_exactly_the_events) {
  auto events = code_headings(section(read_doc(), "## Server → client events"));
  std::set<std::string> expected(log_entry_types);
  for (auto& type : samling::protocol::server_message_types())
    if (type != "ack" && type != "error") expected.insert(type);  // replies, not events
  EXPECT_EQ(events, expected);
}

TEST(protocol_doc, every_request_type_has_its_section_and_no_other_is_documented) {
  auto doc = read_doc();
  auto requests = section(doc, "## Client → server");
  ASSERT_FALSE(requests.empty());
  std::set<std::string> in_code;
  for (auto& t : samling::protocol::request_types()) {
    in_code.insert(std::string(t.name));
    EXPECT_NE(requests.find("\"type\": \"" + std::string(t.name) + "\""), std::string::npos)
        << "no example of a \"" << t.name << "\" request in docs/protocol.md";
  }
  EXPECT_EQ(code_headings(requests), in_code);
}

TEST(protocol_doc, the_role_table_is_the_permission_table) {
  std::set<action> shown;
  for (auto& c : columns) shown.insert(c.shows.begin(), c.shows.end());
  EXPECT_EQ(shown.size(), samling::rooms::all_actions.size()) << "an action has no column in the role table";

  auto roles = section(read_doc(), "## Roles");
  std::vector<std::vector<std::string>> table;
  std::istringstream lines(roles);
  for (std::string line; std::getline(lines, line);)
    if (line.rfind("|", 0) == 0) table.push_back(cells(line));
  ASSERT_GE(table.size(), 2u) << "no table under ## Roles";

  std::vector<std::string> header{"role"};
  for (auto& c : columns) header.push_back(c.header);
  EXPECT_EQ(table[0], header);

  std::map<std::string, std::vector<std::string>> rows;  // by role name
  for (std::size_t i = 2; i < table.size(); ++i) {
    auto& first = table[i][0];
    auto open = first.find('`'), close = first.find('`', open + 1);
    ASSERT_NE(close, std::string::npos) << "a role row without a `role`: " << first;
    rows[first.substr(open + 1, close - open - 1)] = table[i];
  }
  EXPECT_EQ(rows.size(), samling::auth::all_roles.size());
  for (auto r : samling::auth::all_roles) {
    auto name = std::string(samling::auth::to_string(r));
    ASSERT_TRUE(rows.count(name)) << "no row for " << name;
    auto& row = rows[name];
    ASSERT_EQ(row.size(), header.size()) << name;
    for (std::size_t c = 0; c < std::size(columns); ++c)
      EXPECT_EQ(row[c + 1], columns[c].cell(r)) << name << ", " << columns[c].header;
  }
}
