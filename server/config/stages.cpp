// [[stages]] and [[stages.outputs]]: the stages a server runs, read from the config file.
// Not scalar keys: an array of tables, file-only (no SAMLING_* override), with tables of field
// specs of their own (stage_fields(), output_fields()) on the engine the scalar keys use
// (field_spec.hpp), which also drive stage_keys() and so the docs. config.cpp reads the rest
// of the file and calls in here (config_internal.hpp).
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <iterator>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "config/config.hpp"
#include "config/config_internal.hpp"
#include "config/field_spec.hpp"
#include "media/stage_spec.hpp"
#include "program/model.hpp"
#include "program/timezone.hpp"

namespace samling::config {
using namespace internal;
namespace {

// --- stages ([[stages]], [[stages.outputs]]) ---------------------------------------------------
// Not scalar keys: an array of tables, file-only (no SAMLING_* override), with a table of field
// specs of its own. Checks of one field run both when the file is read (with the value's
// location; a bad value is not stored) and in validate() (for configs built in code); checks
// across fields and stages run in validate() only. The rules of a stage's values are media's
// (media/stage_spec.hpp), reported here under their TOML keys; the secrets (key_env,
// passphrase_env), the names' languages and the checks across stages are the configuration's.

using env_map = std::map<std::string, std::string>;

// A stage's name is given in the program's languages.
const std::vector<std::string> stage_languages(std::begin(program::supported_languages),
                                               std::end(program::supported_languages));

std::optional<std::string> env_variable_problem(const std::string& name) {
  if (name.empty()) return std::nullopt;  // not used
  bool ok = !(name[0] >= '0' && name[0] <= '9') &&
            std::all_of(name.begin(), name.end(), [](char ch) {
              return (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
                     (ch >= '0' && ch <= '9') || ch == '_';
            });
  if (!ok) {
    return "must be an environment variable name (A-Z, a-z, 0-9, '_', not starting with a "
           "digit), got " +
           in_quotes(name);
  }
  // Such a variable would also override that key, which is not what anyone means.
  for (const key_info& k : config_keys()) {
    if (k.env == name) return in_quotes(name) + " is the override of " + k.key + "; use another name";
  }
  return std::nullopt;
}

// The stream key may be given by key_env instead (a secret is the configuration's matter):
// empty is checked across fields. Otherwise the media rule.
std::optional<std::string> stream_key_problem(const std::string& key) {
  if (key.empty()) return std::nullopt;
  return media::stream_key_problem(key);
}

// The levels of press::visibility (press/access.hpp), listed here so the configuration does
// not link the press module; tests/unit/config/stages_test.cpp checks the two agree.
constexpr std::string_view stage_visibilities[] = {"public", "registered", "press", "staff"};

constexpr std::string_view public_at_example = "\"2027-02-09T13:00:00+01:00\"";

// public_at as UTC seconds: RFC 3339 with "Z" or a numeric offset, as a TOML string or a TOML
// offset date-time. "" is none (0). A time without an offset is refused: a server's local
// zone is not the event's, and guessing would open an embargo an hour early or late.
std::variant<std::int64_t, std::string> public_at_from(const toml::node& node) {
  std::string text;
  if (const auto* v = node.as_string()) {
    text = v->get();
    if (text.empty()) return std::int64_t{0};
  } else if (const auto* dt = node.as_date_time()) {
    const toml::date_time& d = dt->get();
    if (!d.offset) {
      return "needs an offset (Z or +01:00): a time without one could be any zone's, e.g. " +
             std::string(public_at_example);
    }
    char buf[40];
    int minutes = d.offset->minutes;
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d%c%02d:%02d", static_cast<int>(d.date.year),
                  static_cast<int>(d.date.month), static_cast<int>(d.date.day), static_cast<int>(d.time.hour),
                  static_cast<int>(d.time.minute), static_cast<int>(d.time.second), minutes < 0 ? '-' : '+',
                  std::abs(minutes) / 60, std::abs(minutes) % 60);
    text = buf;
  } else {
    return "expected an RFC 3339 time with an offset (a string or a TOML date-time), got " +
           std::string(toml_type_name(node.type()));
  }
  std::optional<std::int64_t> at = program::parse_utc_iso(text);
  if (!at) {
    return "expected an RFC 3339 time with an offset, e.g. " + std::string(public_at_example) + ", got " +
           in_quotes(text);
  }
  if (*at <= 0) return "must be after 1970-01-01T00:00:00Z, got " + in_quotes(text);
  return *at;
}

const std::vector<field_spec<stage_config>>& stage_fields() {
  using S = stage_config;
  static const std::vector<field_spec<S>> t = {
      {.key = "id",
       .type = value_type::string,
       .field = [](S& s) -> field_ref { return &s.id; },
       .description = "Required. 1-40 of a-z 0-9 -, unique. Names the stage in URLs "
                      "(/live/<id>/) and directories.",
       .required = true,
       .check = media::id_problem},
      {.key = "name",
       .type = value_type::name,
       .field = [](S& s) -> field_ref { return &s.name; },
       .description = "Required. The name viewers see, per language: name = { sv = \"...\", "
                      "en = \"...\", fi = \"...\" }; a plain string is used for every language.",
       .required = true},
      {.key = "event",
       .type = value_type::string,
       .field = [](S& s) -> field_ref { return &s.event; },
       .description = "Id of the program event the stage belongs to; empty = the first event."},
      {.key = "room",
       .type = value_type::string,
       .field = [](S& s) -> field_ref { return &s.room; },
       .description = "Id of the program room the stage shows; its sessions name the "
                      "recording's chapters."},
      {.key = "public",
       .type = value_type::boolean,
       .field = [](S& s) -> field_ref { return &s.is_public; },
       .description = "The old form of visibility: true = \"public\", false = \"press\". "
                      "Not needed with visibility (and must agree with it when given)."},
      {.key = "visibility",
       .type = value_type::string,
       .field = [](S& s) -> field_ref { return &s.visibility; },
       .description = "Who may watch the HLS (and join the stage's room): public (anyone), "
                      "registered (a join token: attendees, speakers and up), press (a press "
                      "grant or a press token, and staff) or staff (moderators, organizers, "
                      "press officers).",
       .one_of = stage_visibilities},
      {.key = "autostart",
       .type = value_type::boolean,
       .field = [](S& s) -> field_ref { return &s.autostart; },
       .description = "Start the stage with the server; false = an organizer starts it."},
      {.key = "mode",
       .type = value_type::string,
       .field = [](S& s) -> field_ref { return &s.mode; },
       .description = "passthrough (the input's H.264/AAC as is, no re-encoding) or produced "
                      "(decoded and encoded again at the sizes below, with a standby slate).",
       .one_of = media::stage_mode_names},
      {.key = "input",
       .type = value_type::string,
       .field = [](S& s) -> field_ref { return &s.input; },
       .description = "srt (listen for a caller such as OBS), pull (fetch url), file (loop "
                      "file) or test (a generated picture and tone; needs mode = "
                      "\"produced\").",
       .one_of = media::input_kind_names},
      {.key = "listen",
       .type = value_type::string,
       .field = [](S& s) -> field_ref { return &s.listen; },
       .description = "srt: address to listen on.",
       .non_empty = true},
      {.key = "port",
       .type = value_type::integer,
       .field = [](S& s) -> field_ref { return &s.port; },
       .description = "srt: UDP port, 1..65535, one per stage.",
       .range = media::ranges::port},
      {.key = "passphrase",
       .type = value_type::string,
       .field = [](S& s) -> field_ref { return &s.passphrase; },
       .description = "srt: encryption passphrase, 10-79 characters; empty = unencrypted. "
                      "Prefer passphrase_env.",
       .check = media::passphrase_problem},
      {.key = "passphrase_env",
       .type = value_type::string,
       .field = [](S& s) -> field_ref { return &s.passphrase_env; },
       .description = "srt: name of an environment variable holding the passphrase, which must "
                      "be set and not empty. Not together with passphrase.",
       .check = env_variable_problem},
      {.key = "stream_id",
       .type = value_type::string,
       .field = [](S& s) -> field_ref { return &s.stream_id; },
       .description = "srt: the stream id a caller must send (OBS: streamid=... in the server "
                      "URL), up to 512 printable characters; empty = any caller's.",
       .check = media::stream_id_problem},
      {.key = "latency_ms",
       .type = value_type::integer,
       .field = [](S& s) -> field_ref { return &s.latency_ms; },
       .description = "srt (and pull from srt://): receive latency, 20..10000 ms; about 4 "
                      "round trips of the link.",
       .range = media::ranges::latency_ms},
      {.key = "url",
       .type = value_type::string,
       .field = [](S& s) -> field_ref { return &s.url; },
       .description = "pull: required; srt://, rtmp://, rtmps://, rtsp://, http:// or https://.",
       .check = media::pull_url_problem},
      {.key = "file",
       .type = value_type::string,
       .field = [](S& s) -> field_ref { return &s.file; },
       .description = "file: required; a media file played in a loop, which must exist and be "
                      "readable. Relative to the working directory."},
      {.key = "width",
       .type = value_type::integer,
       .field = [](S& s) -> field_ref { return &s.width; },
       .description = "produced: picture width, even, 16..3840.",
       .range = media::ranges::width},
      {.key = "height",
       .type = value_type::integer,
       .field = [](S& s) -> field_ref { return &s.height; },
       .description = "produced: picture height, even, 16..2160.",
       .range = media::ranges::height},
      {.key = "fps",
       .type = value_type::integer,
       .field = [](S& s) -> field_ref { return &s.fps; },
       .description = "produced: frames per second, 1..60.",
       .range = media::ranges::fps},
      {.key = "video_kbps",
       .type = value_type::integer,
       .field = [](S& s) -> field_ref { return &s.video_kbps; },
       .description = "produced: video bit rate, 100..50000 kbit/s.",
       .range = media::ranges::video_kbps},
      {.key = "audio_kbps",
       .type = value_type::integer,
       .field = [](S& s) -> field_ref { return &s.audio_kbps; },
       .description = "produced: AAC bit rate, 32..320 kbit/s.",
       .range = media::ranges::audio_kbps},
      {.key = "keyframe_seconds",
       .type = value_type::number,
       .field = [](S& s) -> field_ref { return &s.keyframe_seconds; },
       .description = "produced: keyframe interval, 0.5..10 s, at most hls_segment_seconds "
                      "(segments start at keyframes).",
       .range = media::ranges::keyframe_seconds},
      {.key = "preset",
       .type = value_type::string,
       .field = [](S& s) -> field_ref { return &s.preset; },
       .description = "produced: x264 speed preset: ultrafast, superfast, veryfast, faster, "
                      "fast or medium. Faster uses less CPU for a larger stream.",
       .one_of = media::x264_presets},
      {.key = "hls_segment_seconds",
       .type = value_type::number,
       .field = [](S& s) -> field_ref { return &s.hls_segment_seconds; },
       .description = "HLS segment length, 0.5..10 s. Shorter = less delay, more requests.",
       .range = media::ranges::hls_segment_seconds},
      {.key = "hls_window_seconds",
       .type = value_type::number,
       .field = [](S& s) -> field_ref { return &s.hls_window_seconds; },
       .description = "How far back viewers can rewind, at least 3 segments, at most 21600 s "
                      "(6 h).",
       .range = media::ranges::hls_window_seconds},
      {.key = "record",
       .type = value_type::boolean,
       .field = [](S& s) -> field_ref { return &s.record; },
       .description = "Record the stage under media.dir/recordings/<id>/."},
      {.key = "input_timeout_ms",
       .type = value_type::integer,
       .field = [](S& s) -> field_ref { return &s.input_timeout_ms; },
       .description = "No media from the input for this long = standby (the slate in produced "
                      "mode), 200..10000 ms.",
       .range = media::ranges::input_timeout_ms},
  };
  static const bool checked = (check_table(t), true);
  (void)checked;
  return t;
}

const std::vector<field_spec<output_config>>& output_fields() {
  using O = output_config;
  static const std::vector<field_spec<O>> t = {
      {.key = "id",
       .type = value_type::string,
       .field = [](O& o) -> field_ref { return &o.id; },
       .description = "Required. 1-40 of a-z 0-9 -, unique within the stage.",
       .required = true,
       .check = media::id_problem},
      {.key = "name",
       .type = value_type::string,
       .field = [](O& o) -> field_ref { return &o.name; },
       .description = "Required. Shown to organizers, 1-60 characters, e.g. \"YouTube\".",
       .required = true,
       .check = media::output_name_problem},
      {.key = "url",
       .type = value_type::string,
       .field = [](O& o) -> field_ref { return &o.url; },
       .description = "Required. rtmp:// or rtmps:// server URL, without the stream key.",
       .required = true,
       .check = media::output_url_problem},
      {.key = "key",
       .type = value_type::string,
       .field = [](O& o) -> field_ref { return &o.key; },
       .description = "The stream key, 1-300 characters without spaces. Exactly one of key and "
                      "key_env; prefer key_env, which keeps the secret out of the file.",
       .check = stream_key_problem},
      {.key = "key_env",
       .type = value_type::string,
       .field = [](O& o) -> field_ref { return &o.key_env; },
       .description = "Name of an environment variable holding the stream key; it must be set "
                      "and not empty when the config is loaded.",
       .check = env_variable_problem},
      {.key = "enabled",
       .type = value_type::boolean,
       .field = [](O& o) -> field_ref { return &o.enabled; },
       .description = "Relay to this destination; false = configured but stopped."},
  };
  static const bool checked = (check_table(t), true);
  (void)checked;
  return t;
}

// The problems of a stage's name: (key suffix after "name", message).
std::vector<std::pair<std::string, std::string>> name_problems(const name_map& name) {
  std::vector<std::pair<std::string, std::string>> out;
  if (name.empty()) {
    out.emplace_back("", "is required: name = { sv = \"...\", en = \"...\", fi = \"...\" }, or "
                         "one string for every language");
    return out;
  }
  for (const auto& [lang, text] : name) {
    if (std::find(stage_languages.begin(), stage_languages.end(), lang) ==
        stage_languages.end()) {
      std::string expected;
      for (std::size_t i = 0; i < stage_languages.size(); ++i) {
        expected += (i == 0 ? "" : i + 1 == stage_languages.size() ? " or " : ", ") +
                    in_quotes(stage_languages[i]);
      }
      out.emplace_back("." + lang, "unknown language, expected " + expected +
                                       suggestion(lang, stage_languages));
    } else if (std::optional<std::string> problem = media::stage_name_problem(text)) {
      out.emplace_back("." + lang, *problem);
    }
  }
  return out;
}

struct stage_parse {
  const std::string& origin;
  const env_map& env;
  std::vector<located_error>& errors;

  void fail(const std::string& key, const std::string& message, const toml::source_region& r) {
    errors.push_back({{key, message + " (" + location(origin, r) + ")"}, r.begin});
  }

  void wrong_type(const std::string& key, std::string_view expected, const toml::node& node) {
    fail(key, "expected " + std::string(expected) + ", got " +
                  std::string(toml_type_name(node.type())),
         node.source());
  }

  template <class S>
  void assign(const field_spec<S>& f, const toml::node& node, S& s, const std::string& key) {
    if (f.type == value_type::name) return;  // parse_name()
    // A value that breaks its rule is reported with its location and not stored.
    S candidate = s;
    if (std::optional<std::string> problem = read_toml(f, node, candidate)) {
      return fail(key, *problem, node.source());
    }
    if (std::optional<std::string> problem = field_problem(f, candidate)) {
      return fail(key, *problem, node.source());
    }
    s = std::move(candidate);
  }

  void parse_name(const toml::node& node, stage_config& s, const std::string& key) {
    name_map name;
    if (const auto* v = node.as_string()) {
      for (const std::string& lang : stage_languages) name[lang] = v->get();
    } else if (const toml::table* t = node.as_table()) {
      bool ok = true;
      for (auto&& [k, value] : *t) {
        if (const auto* text = value.as_string()) {
          name[std::string(k.str())] = text->get();
        } else {
          wrong_type(key + "." + std::string(k.str()), "a string", value);
          ok = false;
        }
      }
      if (!ok) return;
    } else {
      return wrong_type(key, "a string or a table of languages", node);
    }
    std::vector<std::pair<std::string, std::string>> problems = name_problems(name);
    if (node.is_string() && !problems.empty()) {
      // One text for every language: one message, about `name` itself.
      return fail(key, problems.front().second, node.source());
    }
    for (const auto& [suffix, message] : problems) {
      const toml::node* at = &node;
      if (!suffix.empty()) {
        if (const toml::node* n = node.as_table()->get(std::string_view(suffix).substr(1))) at = n;
      }
      fail(key + suffix, message, at->source());
    }
    if (problems.empty()) s.name = std::move(name);
  }

  // `secret` / `secret_env` in `t`: not both; a variable named by secret_env must be set and
  // not empty, and its value replaces the secret (then checked like a value in the file).
  template <class S>
  void resolve_secret(const toml::table& t, const std::vector<field_spec<S>>& fields,
                      std::string_view secret, std::string_view secret_env, S& s,
                      const std::string& prefix) {
    const toml::node* env_node = t.get(secret_env);
    if (!env_node) return;
    const field_spec<S>& secret_field = *find_field(fields, secret);
    const field_spec<S>& env_field = *find_field(fields, secret_env);
    std::string env_key = prefix + "." + std::string(secret_env);
    if (t.get(secret)) {
      return fail(env_key,
                  "set either " + std::string(secret) + " or " + std::string(secret_env) +
                      ", not both",
                  env_node->source());
    }
    const std::string& name = *std::get<std::string*>(env_field.field(s));
    if (name.empty() || !env_node->as_string() || name != env_node->as_string()->get()) {
      return;  // not stored: its own error is reported
    }
    auto it = env.find(name);
    if (it == env.end()) {
      return fail(env_key, "environment variable " + name + " is not set", env_node->source());
    }
    if (it->second.empty()) {
      return fail(env_key, "environment variable " + name + " is empty", env_node->source());
    }
    S candidate = s;
    *std::get<std::string*>(secret_field.field(candidate)) = it->second;
    if (std::optional<std::string> problem = field_problem(secret_field, candidate)) {
      return fail(env_key, "the value of environment variable " + name + " " + *problem,
                  env_node->source());
    }
    s = std::move(candidate);
  }

  void parse_output(const toml::table& t, output_config& o, const std::string& prefix) {
    for (auto&& [k, node] : t) {
      std::string key = prefix + "." + std::string(k.str());
      if (const field_spec<output_config>* f = find_field(output_fields(), k.str())) {
        assign(*f, node, o, key);
      } else {
        fail(key, "unknown key" + suggestion(k.str(), field_names(output_fields())), k.source());
      }
    }
    resolve_secret(t, output_fields(), "key", "key_env", o, prefix);
  }

  void parse_stage(const toml::table& t, stage_config& s, const std::string& prefix) {
    for (auto&& [k, node] : t) {
      std::string key = prefix + "." + std::string(k.str());
      if (k.str() == "outputs") {
        const toml::array* list = node.as_array();
        if (!list) {
          wrong_type(key, "an array of tables ([[stages.outputs]])", node);
          continue;
        }
        for (std::size_t j = 0; j < list->size(); ++j) {
          std::string item = key + "[" + std::to_string(j) + "]";
          s.outputs.emplace_back();  // kept even when wrong, so indices match the file
          if (const toml::table* o = (*list)[j].as_table()) {
            parse_output(*o, s.outputs.back(), item);
          } else {
            wrong_type(item, "a table", (*list)[j]);
          }
        }
      } else if (k.str() == "name") {
        parse_name(node, s, key);
      } else if (k.str() == "public_at") {
        auto at = public_at_from(node);
        if (auto* message = std::get_if<std::string>(&at)) {
          fail(key, *message, node.source());
        } else {
          s.public_at = std::get<std::int64_t>(at);
        }
      } else if (const field_spec<stage_config>* f = find_field(stage_fields(), k.str())) {
        assign(*f, node, s, key);
      } else {
        std::vector<std::string> candidates = field_names(stage_fields());
        candidates.emplace_back("outputs");
        candidates.emplace_back("public_at");
        fail(key, "unknown key" + suggestion(k.str(), candidates), k.source());
      }
    }
    resolve_secret(t, stage_fields(), "passphrase", "passphrase_env", s, prefix);
    // `public` is the old form of `visibility`: either one alone decides both; given together
    // they must agree (validate_stages()).
    bool has_public = t.get("public") != nullptr, has_visibility = t.get("visibility") != nullptr;
    if (has_visibility && !has_public) s.is_public = s.visibility == "public";
    if (has_public && !has_visibility) s.visibility = s.is_public ? "public" : "press";
  }

  void parse_stages(const toml::node& node, config& out) {
    const toml::array* list = node.as_array();
    if (!list) {
      return wrong_type("stages", "an array of tables ([[stages]])", node);
    }
    for (std::size_t i = 0; i < list->size(); ++i) {
      std::string prefix = "stages[" + std::to_string(i) + "]";
      out.stages.emplace_back();  // kept even when wrong, so indices match the file
      if (const toml::table* t = (*list)[i].as_table()) {
        parse_stage(*t, out.stages.back(), prefix);
      } else {
        wrong_type(prefix, "a table", (*list)[i]);
      }
    }
  }
};

}  // namespace

namespace internal {

void validate_stages(const config& c, std::vector<config_error>& errors) {
  for (std::size_t i = 0; i < c.stages.size(); ++i) {
    stage_config s = c.stages[i];  // the field accessors hand out mutable pointers
    std::string prefix = "stages[" + std::to_string(i) + "]";
    auto error = [&](std::string_view key, std::string message) {
      errors.push_back({prefix + "." + std::string(key), std::move(message)});
    };
    for (const field_spec<stage_config>& f : stage_fields()) {
      if (f.type == value_type::name) {
        for (auto& [suffix, message] : name_problems(s.name)) error("name" + suffix, message);
      } else if (std::optional<std::string> problem = field_problem(f, s)) {
        error(f.key, *problem);
      }
    }
    // What each input needs (media's rules; the file must also be there).
    if (std::optional<media::input_kind> kind = media::input_kind_from(s.input)) {
      media::input_spec in;
      in.kind = *kind;
      in.url = s.url;
      in.file = s.file;
      // An unknown mode is reported on its own; the needs of the input still are.
      media::stage_mode mode = media::stage_mode_from(s.mode).value_or(media::stage_mode::produced);
      for (media::field_problem& p : media::input_problems(in, mode)) {
        error(p.field.starts_with("input.") ? p.field.substr(6) : p.field, std::move(p.message));
      }
    }
    if (s.input == "file" && !s.file.empty()) {
      if (std::optional<std::string> problem = file_problem(s.file, "file")) error("file", *problem);
    }
    if (s.passphrase.empty() && !s.passphrase_env.empty()) {
      error("passphrase_env", "environment variable " + s.passphrase_env +
                                  " gave no passphrase (not set or empty)");
    }
    // Across fields (media's rules).
    if (std::optional<media::stage_mode> mode = media::stage_mode_from(s.mode)) {
      if (std::optional<std::string> problem =
              media::segment_problem(*mode, s.hls_segment_seconds, s.keyframe_seconds)) {
        error("hls_segment_seconds", *problem);
      }
    }
    if (std::optional<std::string> problem = media::window_problem(s.hls_window_seconds, s.hls_segment_seconds)) {
      error("hls_window_seconds", *problem);
    }
    // Who may watch: `public` (the old form) agrees with `visibility`; an embargo needs a
    // level to lift.
    if (s.is_public != (s.visibility == "public")) {
      error("public", "is " + std::string(s.is_public ? "true" : "false") + " but visibility is " +
                          in_quotes(s.visibility) + "; leave out public (the old form of visibility)");
    }
    if (s.public_at < 0) {
      error("public_at", "must be after 1970-01-01T00:00:00Z");
    } else if (s.public_at > 0 && s.visibility == "public") {
      error("public_at", "a public stage has nothing to embargo: set visibility (\"registered\", "
                         "\"press\" or \"staff\") for the time before public_at");
    }
    // Across stages.
    for (std::size_t j = 0; j < i; ++j) {
      const stage_config& other = c.stages[j];
      std::string other_prefix = "stages[" + std::to_string(j) + "]";
      if (!s.id.empty() && s.id == other.id) {
        error("id", "duplicate stage id " + in_quotes(s.id) + " (also " + other_prefix + ")");
      }
      bool same_address = s.listen == other.listen || s.listen == "0.0.0.0" ||
                          other.listen == "0.0.0.0" || s.listen == "::" || other.listen == "::";
      if (s.input == "srt" && other.input == "srt" && s.port == other.port && same_address) {
        error("port", "UDP port " + std::to_string(s.port) + " is also used by " + other_prefix);
      }
    }
    // Destinations.
    for (std::size_t j = 0; j < s.outputs.size(); ++j) {
      output_config o = s.outputs[j];
      std::string item = "outputs[" + std::to_string(j) + "]";
      for (const field_spec<output_config>& f : output_fields()) {
        if (std::optional<std::string> problem = field_problem(f, o)) {
          error(item + "." + std::string(f.key), *problem);
        }
      }
      if (o.key.empty() && o.key_env.empty()) {
        error(item + ".key", "is required: set key_env (an environment variable holding the "
                             "stream key) or key");
      } else if (o.key.empty()) {
        error(item + ".key_env",
              "environment variable " + o.key_env + " gave no stream key (not set or empty)");
      }
      for (std::size_t k = 0; k < j; ++k) {
        if (!o.id.empty() && o.id == s.outputs[k].id) {
          error(item + ".id", "duplicate output id " + in_quotes(o.id) + " (also outputs[" +
                                  std::to_string(k) + "])");
        }
      }
    }
  }
}

// Is validation error `key` about a stage value already reported from the file (which left
// the default in place, so validation would complain a second time)?
// A secret and its *_env variable count as one value ("key" is required: either of them).
bool already_reported(const std::string& key, const std::vector<std::string>& reported) {
  if (!key.starts_with("stages")) return false;
  auto secret = [](std::string k) {
    if (k.ends_with("_env")) k.resize(k.size() - 4);
    return k;
  };
  return std::any_of(reported.begin(), reported.end(), [&](const std::string& r) {
    if (secret(key) == secret(r)) return true;
    auto within = [](const std::string& inner, const std::string& outer) {
      return inner == outer || inner.starts_with(outer + ".") || inner.starts_with(outer + "[");
    };
    return within(key, r) || within(r, key);
  });
}

void parse_stages(const toml::node& node, config& out, const std::string& origin,
                  const std::map<std::string, std::string>& env,
                  std::vector<located_error>& errors) {
  stage_parse{origin, env, errors}.parse_stages(node, out);
}

}  // namespace internal

const std::vector<key_info>& stage_keys() {
  static const std::vector<key_info> keys = [] {
    std::vector<key_info> k;
    auto add = [&k](const auto& fields, auto defaults, const std::string& prefix) {
      for (const auto& f : fields) k.push_back(describe(f, defaults, prefix + std::string(f.key), ""));
    };
    add(stage_fields(), stage_config{}, "");
    // public_at is read by parse_stage() (a time, not a field type of the table): after visibility.
    auto after = std::find_if(k.begin(), k.end(), [](const key_info& i) { return i.key == "visibility"; });
    k.insert(after + 1, {"public_at", "", "string", "",
                         "An embargo: RFC 3339 with an offset (" + std::string(public_at_example) +
                             "; a TOML date-time with an offset too). Until then the stage has its "
                             "visibility; from that second on it is public, without a restart. "
                             "Empty = no embargo; not with visibility \"public\"."});
    k.push_back({"outputs", "", "array of tables", "[]",
                 "The stage's RTMP(S) destinations, [[stages.outputs]] tables with the keys "
                 "below. More can be added at run time through the API (media.dir/outputs/)."});
    add(output_fields(), output_config{}, "outputs.");
    return k;
  }();
  return keys;
}

}  // namespace samling::config
