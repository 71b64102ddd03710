#include "ws_client.hpp"

#include <unistd.h>

#include <algorithm>
#include <atomic>

#include <boost/asio/connect.hpp>
#include <boost/asio/write.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <openssl/evp.h>
#include <openssl/hmac.h>

namespace samling::testing {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using clock_type = std::chrono::steady_clock;

// --- ws_frame ----------------------------------------------------------------------------------

std::string ws_frame::type() const {
  auto it = body.find("type");
  return it != body.end() && it->value().is_string() ? std::string(it->value().get_string()) : "";
}

bool ws_frame::is_reply() const {
  auto t = type();
  return parsed && (t == "ack" || t == "error");
}

bool ws_frame::is_event() const { return parsed && !is_reply(); }

// --- ws_client::impl ---------------------------------------------------------------------------

struct ws_client::impl {
  asio::io_context ioc;
  std::unique_ptr<websocket::stream<beast::tcp_stream>> ws;
  beast::flat_buffer rbuf;
  websocket::response_type response;

  bool open = false;      // handshake done, not ended
  bool ended = false;
  bool connecting = false;
  bool reading = false;
  bool writing = false;
  bool closing = false;
  bool keep = true;
  std::optional<int> close_code;
  std::string close_reason;
  std::string error;
  std::vector<ws_frame> frames;  // parsed JSON objects, in arrival order
  std::vector<ws_frame> bad;     // anything else
  std::uint64_t received = 0;
  std::uint64_t ids = 0;

  bool has_work() const { return connecting || reading || writing || closing; }

  // Runs handlers until `done()` holds, the deadline passes, or nothing outstanding is left
  // that could make it hold. Returns done().
  template <typename Done>
  bool run_until(Done done, clock_type::time_point end) {
    for (;;) {
      if (done()) return true;
      if (!has_work() || clock_type::now() >= end) return false;
      if (ioc.stopped()) ioc.restart();
      ioc.run_one_until(end);
    }
  }

  // Runs what is ready now, without waiting: a few passes, since a frame takes several
  // handlers; not until nothing is ready, which never comes while a server keeps sending.
  void poll_now() {
    for (int pass = 0; pass < 4; ++pass) {
      if (ioc.stopped()) ioc.restart();
      if (ioc.poll() == 0) return;
    }
  }

  void on_end(const beast::error_code& ec) {
    ended = true;
    open = false;
    // A close frame that arrived counts even when the read then failed otherwise: Beast echoes
    // the close, and a server that cut the TCP connection right after its close frame (as it
    // does after a frame it refused unread) makes that echo fail with a broken pipe.
    if (ec == websocket::error::closed || ws->reason().code != websocket::close_code::none) {
      close_code = static_cast<int>(ws->reason().code);
      close_reason = std::string(ws->reason().reason.data(), ws->reason().reason.size());
    }
    if (ec != websocket::error::closed && error.empty()) error = ec.message();
  }

  void start_read() {
    if (reading || ended || !open) return;
    reading = true;
    ws->async_read(rbuf, [this](beast::error_code ec, std::size_t) {
      reading = false;
      if (ec) {
        on_end(ec);
        return;
      }
      ws_frame f;
      f.at = clock_type::now();
      f.binary = ws->got_binary();
      f.text = beast::buffers_to_string(rbuf.data());
      rbuf.consume(rbuf.size());
      ++received;
      if (!f.binary) {
        boost::system::error_code jec;
        auto v = json::parse(f.text, jec);
        if (!jec && v.is_object()) {
          f.body = std::move(v.get_object());
          f.parsed = true;
        }
      }
      if (!f.parsed)
        bad.push_back(std::move(f));
      else if (keep)
        frames.push_back(std::move(f));
      start_read();
    });
  }

  // Abandons the connection (a local failure): closes the socket and lets handlers finish.
  void abort(const std::string& why) {
    if (error.empty()) error = why;
    if (ws) {
      beast::error_code ignored;
      beast::get_lowest_layer(*ws).socket().close(ignored);
    }
    run_until([] { return false; }, clock_type::now() + 2s);  // the aborted handlers
    ended = true;
    open = false;
  }

  bool write(std::string_view data, bool text, clock_type::time_point end) {
    if (!open || writing) return false;
    auto buffer = std::make_shared<std::string>(data);
    if (text)
      ws->text(true);
    else
      ws->binary(true);
    beast::error_code result;
    writing = true;
    ws->async_write(asio::buffer(*buffer), [this, buffer, &result](beast::error_code ec, std::size_t) {
      writing = false;
      result = ec;
    });
    if (!run_until([&] { return !writing; }, end)) {
      abort("write did not finish in time");
      return false;
    }
    if (result) {
      if (error.empty()) error = "write: " + result.message();
      return false;
    }
    return true;
  }

  // Bytes straight into the socket, behind the stream's back (it never writes meanwhile: the
  // client is single-threaded and `writing` guards both).
  bool write_raw(std::string_view data, clock_type::time_point end) {
    if (!open || writing) return false;
    auto buffer = std::make_shared<std::string>(data);
    beast::error_code result;
    writing = true;
    asio::async_write(beast::get_lowest_layer(*ws).socket(), asio::buffer(*buffer),
                      [this, buffer, &result](beast::error_code ec, std::size_t) {
                        writing = false;
                        result = ec;
                      });
    if (!run_until([&] { return !writing; }, end)) {
      abort("raw write did not finish in time");
      return false;
    }
    if (result) {
      if (error.empty()) error = "raw write: " + result.message();
      return false;
    }
    return true;
  }

  // Removes and returns the first buffered frame that satisfies `pred`, reading until one does.
  template <typename Pred>
  std::optional<json::object> take_first(Pred pred, clock_type::time_point end) {
    std::optional<json::object> found;
    run_until(
        [&] {
          for (auto it = frames.begin(); it != frames.end(); ++it) {
            if (pred(*it)) {
              found = std::move(it->body);
              frames.erase(it);
              return true;
            }
          }
          return false;
        },
        end);
    return found;
  }

  std::vector<json::object> take_all_events() {
    std::vector<json::object> out;
    std::vector<ws_frame> rest;
    for (auto& f : frames) {
      if (f.is_event())
        out.push_back(std::move(f.body));
      else
        rest.push_back(std::move(f));
    }
    frames = std::move(rest);
    return out;
  }

  ~impl() {
    if (ws) {
      beast::error_code ignored;
      beast::get_lowest_layer(*ws).socket().close(ignored);
      // Let the outstanding operations complete (aborted) before the stream goes.
      run_until([] { return false; }, clock_type::now() + 2s);
    }
  }
};

ws_client::ws_client() : impl_(std::make_unique<impl>()) {}
ws_client::~ws_client() = default;

bool ws_client::connect(std::uint16_t port, const options& o) {
  auto& d = *impl_;
  if (d.ws) return false;  // one connection per client
  auto end = clock_type::now() + o.deadline;
  d.ws = std::make_unique<websocket::stream<beast::tcp_stream>>(d.ioc);
  auto& lowest = beast::get_lowest_layer(*d.ws);
  beast::error_code ec;
  lowest.socket().open(tcp::v4(), ec);
  if (!ec && o.receive_buffer_bytes > 0)
    lowest.socket().set_option(asio::socket_base::receive_buffer_size(o.receive_buffer_bytes), ec);
  if (ec) {
    d.abort("socket: " + ec.message());
    return false;
  }
  tcp::endpoint endpoint(asio::ip::make_address_v4("127.0.0.1"), port);
  d.connecting = true;
  lowest.async_connect(endpoint, [&](beast::error_code e) {
    d.connecting = false;
    ec = e;
  });
  if (!d.run_until([&] { return !d.connecting; }, end)) {
    d.abort("connect did not finish in time");
    return false;
  }
  if (ec) {
    d.abort("connect: " + ec.message());
    return false;
  }
  // A chat client sends small frames and waits for answers: no Nagle delay on its side.
  lowest.socket().set_option(tcp::no_delay(true), ec);
  d.ws->auto_fragment(false);  // one frame per message, so frame-size limits are what is tested
  d.ws->read_message_max(64 * 1024 * 1024);
  std::string protocol = o.subprotocol;
  std::string origin = o.origin;
  auto headers = o.headers;
  d.ws->set_option(websocket::stream_base::decorator([protocol, origin, headers](websocket::request_type& req) {
    req.set(beast::http::field::user_agent, "samling-integration-tests");
    if (!protocol.empty()) req.set(beast::http::field::sec_websocket_protocol, protocol);
    if (!origin.empty()) req.set(beast::http::field::origin, origin);
    for (auto& [name, value] : headers) req.set(name, value);
  }));
  d.connecting = true;
  d.ws->async_handshake(d.response, "127.0.0.1:" + std::to_string(port), o.target,
                        [&](beast::error_code e) {
                          d.connecting = false;
                          ec = e;
                        });
  if (!d.run_until([&] { return !d.connecting; }, end)) {
    d.abort("handshake did not finish in time");
    return false;
  }
  if (ec) {
    d.abort("handshake: " + ec.message());
    return false;
  }
  d.open = true;
  d.start_read();
  return true;
}

int ws_client::handshake_status() const { return impl_->response.result_int(); }
const std::string& ws_client::handshake_body() const { return impl_->response.body(); }
std::string ws_client::handshake_header(const std::string& name) const {
  auto it = impl_->response.find(name);
  return it == impl_->response.end() ? std::string() : std::string(it->value());
}
const std::string& ws_client::error() const { return impl_->error; }
bool ws_client::is_open() const { return impl_->open; }
bool ws_client::ended() const { return impl_->ended; }
std::optional<int> ws_client::close_code() const { return impl_->close_code; }
std::string ws_client::close_reason() const { return impl_->close_reason; }

bool ws_client::send_text(std::string_view text, std::chrono::milliseconds deadline) {
  return impl_->write(text, true, clock_type::now() + deadline);
}
bool ws_client::send_binary(std::string_view bytes, std::chrono::milliseconds deadline) {
  return impl_->write(bytes, false, clock_type::now() + deadline);
}
bool ws_client::send(const json::object& message, std::chrono::milliseconds deadline) {
  return send_text(json::serialize(message), deadline);
}
bool ws_client::send_raw(std::string_view bytes, std::chrono::milliseconds deadline) {
  return impl_->write_raw(bytes, clock_type::now() + deadline);
}

std::string ws_client::next_id() { return "q" + std::to_string(++impl_->ids); }

std::optional<json::object> ws_client::request(json::object req, std::chrono::milliseconds deadline) {
  auto end = clock_type::now() + deadline;
  if (!req.contains("id")) req["id"] = next_id();
  json::value id = req["id"];
  if (!impl_->write(json::serialize(req), true, end)) return std::nullopt;
  return impl_->take_first(
      [&](const ws_frame& f) {
        if (!f.is_reply()) return false;
        auto it = f.body.find("id");
        return it != f.body.end() && it->value() == id;
      },
      end);
}

std::optional<json::object> ws_client::next_reply(const json::value& id,
                                                  std::chrono::milliseconds deadline) {
  return impl_->take_first(
      [&](const ws_frame& f) {
        if (!f.is_reply()) return false;
        auto it = f.body.find("id");
        return it != f.body.end() && it->value() == id;
      },
      clock_type::now() + deadline);
}

std::optional<json::object> ws_client::next_reply(std::chrono::milliseconds deadline) {
  return impl_->take_first([](const ws_frame& f) { return f.is_reply(); },
                           clock_type::now() + deadline);
}

std::optional<json::object> ws_client::next_event(std::string_view type,
                                                  std::chrono::milliseconds deadline) {
  return impl_->take_first(
      [&](const ws_frame& f) { return f.is_event() && (type.empty() || f.type() == type); },
      clock_type::now() + deadline);
}

std::optional<json::object> ws_client::next_event_if(
    const std::function<bool(const json::object&)>& pred, std::chrono::milliseconds deadline) {
  return impl_->take_first([&](const ws_frame& f) { return f.is_event() && pred(f.body); },
                           clock_type::now() + deadline);
}

bool ws_client::wait_until(const std::function<bool(const std::vector<ws_frame>&)>& pred,
                           std::chrono::milliseconds deadline) {
  return impl_->run_until([&] { return pred(impl_->frames); }, clock_type::now() + deadline);
}

std::vector<json::object> ws_client::read_all_events(std::chrono::milliseconds deadline) {
  impl_->run_until([] { return false; }, clock_type::now() + deadline);
  return impl_->take_all_events();
}

std::vector<ws_frame> ws_client::read_all_frames(std::chrono::milliseconds deadline) {
  impl_->run_until([] { return false; }, clock_type::now() + deadline);
  return std::exchange(impl_->frames, {});
}

std::vector<json::object> ws_client::take_events() {
  impl_->poll_now();
  return impl_->take_all_events();
}

const std::vector<ws_frame>& ws_client::bad_frames() const { return impl_->bad; }

std::size_t ws_client::discard_buffered() { return std::exchange(impl_->frames, {}).size(); }

void ws_client::keep_frames(bool keep) { impl_->keep = keep; }

std::uint64_t ws_client::frames_received() const { return impl_->received; }

std::optional<int> ws_client::wait_closed(std::chrono::milliseconds deadline) {
  if (!impl_->run_until([&] { return impl_->ended; }, clock_type::now() + deadline))
    return std::nullopt;
  return impl_->close_code;
}

bool ws_client::close(int code, std::chrono::milliseconds deadline) {
  auto& d = *impl_;
  if (!d.open) return d.ended;
  auto end = clock_type::now() + deadline;
  d.closing = true;
  beast::error_code result;
  d.ws->async_close(websocket::close_reason(static_cast<std::uint16_t>(code)),
                    [&](beast::error_code ec) {
                      d.closing = false;
                      result = ec;
                    });
  if (!d.run_until([&] { return !d.closing; }, end)) {
    d.abort("close did not finish in time");
    return false;
  }
  d.run_until([&] { return !d.reading; }, end);
  d.ended = true;
  d.open = false;
  return !result;
}

std::optional<json::object> ws_client::hello(const std::string& event, const std::string& token,
                                             std::chrono::milliseconds deadline) {
  return request({{"type", "hello"}, {"event", event}, {"token", token}}, deadline);
}

std::optional<json::object> ws_client::hello_guest(const std::string& event, const std::string& name,
                                                   std::chrono::milliseconds deadline) {
  return request({{"type", "hello"}, {"event", event}, {"guest", {{"name", name}}}}, deadline);
}

std::optional<json::object> ws_client::join(const std::string& room,
                                            std::optional<std::uint64_t> since,
                                            std::chrono::milliseconds deadline) {
  json::object req{{"type", "join"}, {"room", room}};
  if (since) req["since"] = *since;
  return request(std::move(req), deadline);
}

std::optional<json::object> ws_client::leave(const std::string& room,
                                             std::chrono::milliseconds deadline) {
  return request({{"type", "leave"}, {"room", room}}, deadline);
}

std::optional<json::object> ws_client::post(const std::string& room, const std::string& text,
                                            std::string client_msg_id,
                                            std::chrono::milliseconds deadline) {
  if (client_msg_id.empty()) client_msg_id = ws::unique("m");
  return request({{"type", "post"}, {"room", room}, {"text", text}, {"client_msg_id", client_msg_id}},
                 deadline);
}

std::optional<json::object> ws_client::members(const std::string& room,
                                               std::chrono::milliseconds deadline) {
  return request({{"type", "members"}, {"room", room}}, deadline);
}

// --- helpers -----------------------------------------------------------------------------------

std::string outcome(const std::optional<json::object>& reply) {
  if (!reply) return "(no reply)";
  auto type = reply->if_contains("type");
  if (type && *type == "ack") return "ack";
  if (type && *type == "error") {
    auto code = reply->if_contains("code");
    return code && code->is_string() ? std::string(code->get_string()) : "(error without code)";
  }
  return "(not a reply: " + json::serialize(*reply) + ")";
}

bool is_ack(const std::optional<json::object>& reply) { return outcome(reply) == "ack"; }

json::value field(const json::object& o, std::string_view path) {
  const json::object* cur = &o;
  for (;;) {
    auto dot = path.find('.');
    auto key = path.substr(0, dot);
    auto v = cur->if_contains(key);
    if (!v) return nullptr;
    if (dot == std::string_view::npos) return *v;
    if (!v->is_object()) return nullptr;
    cur = &v->get_object();
    path.remove_prefix(dot + 1);
  }
}

json::value field(const std::optional<json::object>& o, std::string_view path) {
  return o ? field(*o, path) : json::value(nullptr);
}

std::int64_t int_field(const json::object& o, std::string_view path) {
  auto v = field(o, path);
  if (v.is_int64()) return v.get_int64();
  if (v.is_uint64() && v.get_uint64() <= static_cast<std::uint64_t>(INT64_MAX))
    return static_cast<std::int64_t>(v.get_uint64());
  return -1;
}

std::int64_t int_field(const std::optional<json::object>& o, std::string_view path) {
  return o ? int_field(*o, path) : -1;
}

std::string string_field(const json::object& o, std::string_view path) {
  auto v = field(o, path);
  return v.is_string() ? std::string(v.get_string()) : std::string();
}

std::string string_field(const std::optional<json::object>& o, std::string_view path) {
  return o ? string_field(*o, path) : std::string();
}

std::string str(const std::optional<json::object>& reply) {
  return reply ? json::serialize(*reply) : std::string("(none)");
}

std::string str(const json::object& o) { return json::serialize(o); }
std::string str(const json::value& v) { return json::serialize(v); }

namespace wire {

std::string frame(std::uint8_t first_byte, std::string_view payload, bool masked) {
  std::string f(1, static_cast<char>(first_byte));
  const unsigned char m = masked ? 0x80 : 0;
  const std::uint64_t n = payload.size();
  if (n < 126) {
    f += static_cast<char>(m | n);
  } else if (n <= 0xFFFF) {
    f += static_cast<char>(m | 126);
    f += static_cast<char>(n >> 8);
    f += static_cast<char>(n & 0xFF);
  } else {
    f += static_cast<char>(m | 127);
    for (int i = 7; i >= 0; --i) f += static_cast<char>((n >> (8 * i)) & 0xFF);
  }
  static const unsigned char mask[4] = {0x3a, 0x91, 0x5c, 0xe7};
  if (masked) f.append(reinterpret_cast<const char*>(mask), 4);
  const auto at = f.size();
  f.append(payload);
  if (masked)
    for (std::size_t i = 0; i < payload.size(); ++i) f[at + i] = static_cast<char>(f[at + i] ^ mask[i % 4]);
  return f;
}

std::string text(std::string_view payload) { return frame(0x81, payload); }
std::string text(const json::object& message) { return text(json::serialize(message)); }

std::string close(std::uint16_t code, std::string_view reason) {
  std::string payload{static_cast<char>(code >> 8), static_cast<char>(code & 0xFF)};
  payload.append(reason);
  return frame(0x88, payload);
}

}  // namespace wire

std::string mint_token(const std::string& key_id, const std::string& secret,
                       const json::object& payload) {
  std::string signing_input = "v1." + key_id + "." + base64url(json::serialize(payload));
  return signing_input + "." + base64url(hmac_sha256(secret, signing_input));
}

std::int64_t unix_seconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

namespace ws {

std::map<std::string, std::string> auth_env() {
  return {{"SAMLING_AUTH_KEY_ID", key_id}, {"SAMLING_AUTH_SECRET", secret}};
}

std::string room(const std::string& id, const std::string& event) { return event + "/" + id; }

json::object claims(const std::string& sub, const std::string& name, const std::string& role,
                    const std::string& event) {
  auto now = unix_seconds();
  return {{"sub", sub}, {"name", name}, {"event", event}, {"role", role},
          {"iat", now - 10}, {"exp", now + 3600}};
}

std::string token(const std::string& sub, const std::string& name, const std::string& role,
                  const std::string& event) {
  return mint_token(key_id, secret, claims(sub, name, role, event));
}

std::string unique(const std::string& prefix) {
  static std::atomic<std::uint64_t> counter{0};
  return prefix + "-" + std::to_string(::getpid()) + "-" + std::to_string(++counter);
}

std::optional<json::object> fresh_join(std::uint16_t port, const std::string& room,
                                       std::optional<std::uint64_t> since) {
  ws_client c;
  if (!c.connect(port)) return std::nullopt;
  auto sub = unique("u-reader");
  auto event = room.substr(0, room.find('/'));
  if (!is_ack(c.hello(event, token(sub, "Reader", "organizer", event)))) return std::nullopt;
  return c.join(room, since);
}

std::vector<json::object> messages_of(const std::optional<json::object>& join_reply) {
  std::vector<json::object> out;
  if (!is_ack(join_reply)) return out;
  auto result = join_reply->if_contains("result");
  if (!result || !result->is_object()) return out;
  auto messages = result->get_object().if_contains("messages");
  if (!messages || !messages->is_array()) return out;
  for (auto& m : messages->get_array())
    if (m.is_object()) out.push_back(m.get_object());
  return out;
}

}  // namespace ws

}  // namespace samling::testing
