#pragma once
// A small JSON writer for the protocol's frames: appends to one string, no intermediate values,
// objects' members in the order written (clients and tests compare frames byte for byte).
// Strings are escaped exactly as boost::json::serialize escapes them (tested): `"`, `\` and the
// control characters U+0000–U+001F (\b \t \n \f \r, else \u00xx); every other byte as is.
// Why not boost::json::object + serialize: a `message` event is built once per broadcast on the
// room's strand, and building a json::object first costs an allocation per member and string.
// Used by protocol/ only. Elsewhere JSON is built as boost::json values (the HTTP API's stage
// and program bodies), never concatenated; the one exception is the structured log's line
// (core/log.cpp), which quotes every string through boost::json.
#include <charconv>
#include <cstdint>
#include <string>
#include <string_view>

namespace samling::protocol {

class json_writer {
 public:
  explicit json_writer(std::size_t reserve = 0) { out_.reserve(reserve); }

  json_writer& begin_object() {
    before_value();
    out_ += '{';
    empty_ = true;
    return *this;
  }
  json_writer& end_object() {
    out_ += '}';
    empty_ = false;
    return *this;
  }
  json_writer& begin_array() {
    before_value();
    out_ += '[';
    empty_ = true;
    return *this;
  }
  json_writer& end_array() {
    out_ += ']';
    empty_ = false;
    return *this;
  }
  // The next member's name; its value follows.
  json_writer& key(std::string_view name) {
    if (!empty_) out_ += ',';
    empty_ = false;
    append_string(name);
    out_ += ':';
    after_key_ = true;
    return *this;
  }

  json_writer& string(std::string_view s) {
    before_value();
    append_string(s);
    return *this;
  }
  json_writer& integer(std::int64_t n) { return number(n); }
  json_writer& unsigned_integer(std::uint64_t n) { return number(n); }
  json_writer& boolean(bool b) {
    before_value();
    out_ += b ? "true" : "false";
    return *this;
  }
  json_writer& null() {
    before_value();
    out_ += "null";
    return *this;
  }
  // A value that is already JSON (a kept message, a stage's status), copied as is.
  json_writer& raw(std::string_view json) {
    before_value();
    out_ += json;
    return *this;
  }

  const std::string& str() const { return out_; }
  std::string take() { return std::move(out_); }

  // `s` as a JSON string literal (quoted and escaped), appended to `out`.
  static void append_string(std::string& out, std::string_view s) {
    static constexpr char hex[] = "0123456789abcdef";
    out += '"';
    std::size_t run = 0;  // start of the bytes not yet copied
    for (std::size_t i = 0; i < s.size(); ++i) {
      auto c = static_cast<unsigned char>(s[i]);
      if (c >= 0x20 && c != '"' && c != '\\') continue;
      out.append(s.data() + run, i - run);
      run = i + 1;
      out += '\\';
      switch (c) {
        case '"': out += '"'; break;
        case '\\': out += '\\'; break;
        case '\b': out += 'b'; break;
        case '\t': out += 't'; break;
        case '\n': out += 'n'; break;
        case '\f': out += 'f'; break;
        case '\r': out += 'r'; break;
        default:
          out += "u00";
          out += hex[c >> 4];
          out += hex[c & 15];
      }
    }
    out.append(s.data() + run, s.size() - run);
    out += '"';
  }

 private:
  void before_value() {
    if (after_key_) {
      after_key_ = false;
      return;
    }
    if (!empty_) out_ += ',';
    empty_ = false;
  }
  void append_string(std::string_view s) { append_string(out_, s); }
  template <typename N>
  json_writer& number(N n) {
    before_value();
    char buf[24];
    auto [end, _] = std::to_chars(buf, buf + sizeof buf, n);
    out_.append(buf, end);
    return *this;
  }

  std::string out_;
  bool empty_ = true;      // the open object or array has no member yet (or nothing written)
  bool after_key_ = false; // a key was written: the value needs no comma
};

}  // namespace samling::protocol
