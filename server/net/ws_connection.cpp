#include "net/ws_connection.hpp"

#include <algorithm>
#include <exception>
#include <functional>
#include <utility>
#include <chrono>
#include <cstring>
#include <mutex>
#include <optional>
#include <type_traits>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/defer.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <sys/socket.h>

#include <cerrno>

#include "core/log.hpp"
#include "core/version.hpp"
#include "net/ws_flusher.hpp"
#include "net/ws_frame.hpp"
#include "net/ws_lifecycle.hpp"

namespace samling::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
using core::ws_close;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

// A close frame waits behind a write in flight, and after it the client's answering close;
// a client that stopped reading never lets either happen, so after this long the TCP
// connection is cut instead.
constexpr auto close_deadline = std::chrono::seconds(5);
// Read buffer: small for the idle majority, grown for a large message, shrunk back after.
constexpr std::size_t read_initial = 512;
constexpr std::size_t read_keep = 4096;
// One write carries queued frames up to about this many bytes (always at least one frame).
constexpr std::size_t batch_bytes = 64 * 1024;
// Back-pressure on a client's own requests: the reader stops taking requests while this many
// are still unanswered, or while a quarter of the send-queue bound waits behind a write the
// socket did not take, and goes on when that has drained. A client that pipelines faster
// than it reads is thus slowed by TCP, not closed; only events it cannot keep up with count
// towards 4008.
constexpr std::size_t max_unanswered = 64;

namespace {

void append_frame(std::string& out, ws::opcode op, std::string_view payload) {
  std::array<unsigned char, ws::max_server_header> header;
  auto n = ws::write_header(op, payload.size(), header);
  out.append(reinterpret_cast<const char*>(header.data()), n);
  out.append(payload);
}

// One WebSocket connection: the sink rooms deliver into (any thread), the reader that feeds
// the handler, the writer that drains the queue in batches, keep-alive pings and the closing
// handshake. Everything but send()/reply()/close()/flush() runs on the connection's thread
// (`strand_`: the connection's single-threaded io_context). Its state is a few explicit
// machines, not a set of flags: the closing handshake's phase (`life_`, ws_lifecycle.hpp,
// which owns every transition), the writer's (`writer_`), the handler's (`run_`) and the
// message being read (`message_`); the flags left are orthogonal to them, each saying why.
// Owned by shared_ptrs: its own completion handlers, the handler's sink, the flusher's queue.
template <typename Stream>
class ws_connection final : public ws_sink,
                            public ws_flush_target,
                            public std::enable_shared_from_this<ws_connection<Stream>> {
 public:
  using clock = std::chrono::steady_clock;

  ws_connection(Stream& stream, const ws_run_params& p, asio::any_io_executor strand)
      : stream_(stream), lowest_(*p.lowest), owner_(p.owner), state_(p.state),
        options_(p.state->options.ws), strand_(strand), keepalive_(strand) {}

  // --- ws_sink (any thread) ---------------------------------------------------------------
  void send(std::shared_ptr<const std::string> frame, std::string_view coalesce_key) override {
    auto now = clock::now();
    auto& flusher = *state_->ws_flush;
    flusher.count_events(1, now);
    next_flush next = next_flush::none;
    clock::time_point due{};
    {
      std::lock_guard lock(mutex_);
      if (!life_.accepts_events()) return;
      if (!coalesce_key.empty()) {
        for (auto& e : queue_) {
          if (e.key == coalesce_key) {
            bytes_ = bytes_ - e.frame->size() + frame->size();
            e.frame = std::move(frame);
            state_->ws_coalesced->inc();
            return;
          }
        }
      }
      next = enqueue(std::move(frame), std::string(coalesce_key), false, now, due);
    }
    dispatch(next, due);
  }

  void reply(std::shared_ptr<const std::string> frame) override {
    next_flush next = next_flush::none;
    clock::time_point due{};
    {
      std::lock_guard lock(mutex_);
      if (owed_replies_ > 0) --owed_replies_;
      maybe_resume();
      // Dropped when nobody can read it: the queue was given up (4008), the socket is gone,
      // the close frame already went, or the peer left without a close frame.
      if (!life_.accepts_replies()) return;
      next = enqueue(std::move(frame), {}, true, clock::now(), due);
    }
    dispatch(next, due);
  }

  void close(ws_close code) override {
    {
      std::lock_guard lock(mutex_);
      if (!life_.close(code)) return;
      maybe_resume();
    }
    post_close();
  }

  // --- ws_flush_target (the flusher's thread, or this connection's) --------------------
  void flush() override {
    if constexpr (std::is_same_v<Stream, beast::tcp_stream>) {
      if (write_direct()) return;
    }
    asio::dispatch(strand_, [self = this->shared_from_this()] { self->write_some(); });
  }

  // --- strand -------------------------------------------------------------------------------
  // Answers 101, creates the handler and starts reading. No coroutine frame stays with the
  // connection: the reader is a chain of completion handlers, and only a message being
  // handled has a frame (the handler's on_text).
  void start(ws_run_params p) {
    std::string res = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                      "Sec-WebSocket-Accept: " + p.accept_key +
                      "\r\nSec-WebSocket-Protocol: samling.v1\r\nServer: samling/" +
                      std::string(core::version()) + "\r\n\r\n";
    remote_ = std::move(p.remote);
    on_done_ = std::move(p.on_done);
    *p.stop_hook = [self = this->shared_from_this()](bool force) {
      if (force) self->cut();
      else self->close(ws_close::going_away);
    };
    stop_hook_ = p.stop_hook;
    try {
      handler_ = state_->options.ws_factory(ws_context{this->shared_from_this(), strand_, remote_, &p.upgrade});
    } catch (const std::exception& e) {
      core::log(core::log_level::error, "ws_handler_failed", {{"remote", remote_}, {"error", e.what()}});
    }
    if (!p.leftover.empty()) {
      reserve_read(p.leftover.size());
      std::memcpy(rbuf_.get(), p.leftover.data(), p.leftover.size());
      rend_ = p.leftover.size();
    }
    if (!handler_) return finished();
    state_->ws_open->add(1);
    run_ = run_state::serving;
    last_read_ = clock::now();
    arm_keepalive();
    {
      std::lock_guard lock(mutex_);
      writer_ = writer_state::writing;  // the 101 goes first; frames queued meanwhile follow it
    }
    wbuf_ = std::move(res);
    start_async_write();
    process();
  }

  // Closes the TCP connection now (shutdown's last phase, dead peers, missed deadlines).
  void cut() {
    std::lock_guard lock(mutex_);  // write_direct() uses the descriptor under this lock
    life_.broke();
    boost::system::error_code ignored;
    lowest_.socket().close(ignored);
    maybe_resume();  // a paused reader reads on and meets the closed socket
  }

 private:
  struct entry {
    std::shared_ptr<const std::string> frame;
    std::string key;
  };
  // What a queued frame asks of the writer: nothing (a write is in flight or already asked
  // for), a write once the current handler returns, or a write when the batch window ends.
  enum class next_flush { none, soon, held };
  // What the writer is doing, or has been asked to do: one state, since a connection with a
  // write in flight needs no flush (the write's completion takes what was queued meanwhile).
  enum class writer_state {
    idle,     // nothing asked: a frame queued now asks for a write
    soon,     // a write runs once the handler that asked returns (ws_flusher::request)
    held,     // a write runs when the batch window ends (ws_flusher::hold)
    writing,  // a write is in flight: the socket did not take everything at once
  };
  // Whether the connection still serves its handler (strand only).
  enum class run_state {
    starting,  // before the handler exists
    serving,   // counted in ws_open; the handler has not been told the connection closed
    released,  // the handler was told (on_closed); the writer may still be draining
    over,      // finished(): everything is let go
  };

  // Mutex held: queues a frame and says what the writer must do (for `held`, until `due`).
  // The send-queue bound is a
  // bound on what the client did not read: it applies while a write is in flight (the socket
  // did not take everything at once) to the frames waiting behind it. Frames waiting only for
  // the next write are never counted against the client; a held batch that grows large is
  // written at once instead.
  next_flush enqueue(std::shared_ptr<const std::string> frame, std::string key, bool is_reply,
                     clock::time_point now, clock::time_point& due) {
    bytes_ += frame->size();
    queue_.push_back({std::move(frame), std::move(key)});
    if (writer_ == writer_state::writing) {
      if (queue_.size() > options_.send_queue_messages || bytes_ > options_.send_queue_bytes) overflow();
      return next_flush::none;
    }
    if (writer_ == writer_state::soon) return next_flush::none;
    bool big = queue_.size() * 2 > options_.send_queue_messages || bytes_ >= batch_bytes;
    if (writer_ == writer_state::held && !is_reply && !big) return next_flush::none;
    // Held only under load, only events, and only on a connection written to within the
    // window: a connection that is idle, or waiting for a reply, gets its frame at once.
    auto& flusher = *state_->ws_flush;
    if (!is_reply && !big && writer_ == writer_state::idle && now - last_write_ < flusher.window() &&
        flusher.busy(now)) {
      writer_ = writer_state::held;
      due = last_write_ + flusher.window();
      return next_flush::held;
    }
    writer_ = writer_state::soon;
    return next_flush::soon;
  }

  // Strand: whether the reader must wait before taking the next request (max_unanswered).
  // Not while closing: then the reader looks only for the client's close frame.
  bool pause_requests() {
    std::lock_guard lock(mutex_);
    paused_ = life_.may_pause() && backlogged();
    return paused_;
  }

  // Mutex held: the client has too much outstanding: requests unanswered, or replies and
  // events waiting behind a write the socket did not take.
  bool backlogged() const {
    return owed_replies_ >= max_unanswered ||
           (writer_ == writer_state::writing && (queue_.size() * 4 >= options_.send_queue_messages || bytes_ * 4 >= options_.send_queue_bytes));
  }

  // Mutex held: a paused reader goes on once the backlog has drained (or the connection closes).
  void maybe_resume() {
    if (!paused_ || (life_.may_pause() && backlogged())) return;
    paused_ = false;
    asio::post(strand_, [self = this->shared_from_this()] { self->process(); });
  }

  // Mutex held: the client is not reading; what is queued for it is dropped and the
  // connection closes with 4008 (unless it is already closing).
  void overflow() {
    queue_.clear();
    bytes_ = 0;
    if (!life_.overflow()) return;  // already closing: its close frame no longer waits for replies
    state_->ws_slow_consumer_closes->inc();
    maybe_resume();
    post_close();
  }

  void dispatch(next_flush next, clock::time_point due) {
    if (next == next_flush::soon) {
      // On this connection's own thread (a reply from its handler) the write follows the
      // handler's turn, so the replies to pipelined requests share writes. From a room's
      // strand the flusher writes the whole pass once the room's handler returns, on the same
      // thread: a post's ack and its message event to the sender go in one write, and a
      // fan-out to every member is one pass.
      if (on_own_thread()) asio::defer(strand_, [self = this->shared_from_this()] { self->flush(); });
      else state_->ws_flush->request(this->shared_from_this());
    } else if (next == next_flush::held) {
      state_->ws_flush->hold(this->shared_from_this(), due);
    }
  }

  bool on_own_thread() const {
    auto* ex = strand_.target<asio::io_context::executor_type>();
    return ex && ex->running_in_this_thread();
  }

  // Handles the complete frames in the buffer, then reads more. Returns while a message is
  // with the handler; its completion continues here.
  void process() {
    if (run_ == run_state::over) return;  // a resumption posted before the connection ended
    while (!discarding_) {
      if (pause_requests()) return;  // resumed by reply() or written()
      std::string_view avail(rbuf_.get() + rbeg_, rend_ - rbeg_);
      ws::frame_header h;
      auto st = ws::parse_client_header(avail, options_.max_frame_bytes - fragments_.size(), h);
      if (st == ws::parse_status::need_more) break;
      if (st == ws::parse_status::protocol_error || st == ws::parse_status::too_big) {
        // The stream cannot be followed any further: close, then discard what comes.
        close(st == ws::parse_status::too_big ? ws_close::too_big : ws_close::protocol_error);
        discarding_ = true;
        break;
      }
      std::size_t total = h.header_size + static_cast<std::size_t>(h.payload_size);
      if (avail.size() < total) {
        reserve_read(total);
        break;
      }
      char* payload = rbuf_.get() + rbeg_ + h.header_size;
      ws::unmask(payload, static_cast<std::size_t>(h.payload_size), h.mask);
      rbeg_ += total;
      std::string_view data(payload, static_cast<std::size_t>(h.payload_size));
      if (h.op == ws::opcode::close) {
        on_close_frame(data);
        return end_reading(true);
      }
      if (h.op == ws::opcode::ping) {
        answer_ping(data);
        continue;
      }
      if (h.op == ws::opcode::pong) continue;
      // A data frame: a whole message, or a fragment of one.
      if ((h.op == ws::opcode::continuation) != (message_ != message_kind::none)) {
        close(ws_close::protocol_error);
        discarding_ = true;
        break;
      }
      if (h.op != ws::opcode::continuation)
        message_ = h.op == ws::opcode::binary ? message_kind::binary : message_kind::text;
      if (closing()) {  // we sent (or are sending) a close: data is no longer read
        if (h.fin) message_ = message_kind::none;
        fragments_.clear();
        continue;
      }
      std::string text;
      if (h.fin && fragments_.empty()) {
        text.assign(data);
      } else {
        fragments_.append(data);
        if (!h.fin) continue;
        text.swap(fragments_);
      }
      auto kind = std::exchange(message_, message_kind::none);
      state_->ws_messages_in->inc();
      if (kind == message_kind::binary) {
        close(ws_close::unsupported_data);
        continue;
      }
      if (!ws::valid_utf8(text)) {
        close(ws_close::invalid_payload);
        continue;
      }
      {
        std::lock_guard lock(mutex_);
        ++owed_replies_;  // the handler answers it, now or later (ws_handler)
      }
      // One message at a time: the next frame is parsed when the handler is done.
      asio::co_spawn(strand_, handler_->on_text(std::move(text)),
                     [self = this->shared_from_this()](std::exception_ptr e) {
                       if (e) {
                         try {
                           std::rethrow_exception(e);
                         } catch (const std::exception& ex) {
                           core::log(core::log_level::error, "ws_handler_failed",
                                     {{"remote", self->remote_}, {"error", ex.what()}});
                         }
                         self->close(ws_close::too_many_errors);
                       }
                       self->process();
                     });
      return;
    }
    if (discarding_) rbeg_ = rend_ = 0;
    compact_read();
    stream_.async_read_some(asio::buffer(rbuf_.get() + rend_, rcap_ - rend_),
                            asio::bind_executor(strand_, [self = this->shared_from_this()](
                                                             boost::system::error_code ec, std::size_t n) {
                              self->on_read(ec, n);
                            }));
  }

  void on_read(boost::system::error_code ec, std::size_t n) {
    if (ec) {
      if (ec != asio::error::eof && ec != asio::error::operation_aborted)
        core::log(core::log_level::debug, "ws_read_ended", {{"remote", remote_}, {"error", ec.message()}});
      return end_reading(false);
    }
    rend_ += n;
    last_read_ = clock::now();
    ping_outstanding_ = false;
    process();
  }

  // The connection is over from the reading side. After the client's close frame
  // (`graceful`) every request read before it still gets its reply, then the close frame goes
  // (all within the close deadline), and only then does the handler let go of its rooms. After
  // EOF, an error or a cut connection nobody is left to read: the handler lets go at once and
  // only a close frame already due gets its chance to go out.
  void end_reading(bool graceful) {
    if (!graceful) release_handler();
    bool wait = false;
    {
      std::lock_guard lock(mutex_);
      life_.reader_ended(graceful);
      if (!graceful) {
        queue_.clear();
        bytes_ = 0;
        owed_replies_ = 0;
      }
      wait = !writer_done();
    }
    keepalive_.cancel();
    rbuf_.reset();
    rcap_ = rbeg_ = rend_ = 0;
    if (wait) {
      drain_.emplace(strand_, close_deadline);
      write_some();
      {
        std::lock_guard lock(mutex_);
        wait = !writer_done();
      }
      if (wait) {
        drain_->async_wait([self = this->shared_from_this()](boost::system::error_code) { self->finished(); });
        return;
      }
    }
    finished();
  }

  // The handler is told the connection is gone (once).
  void release_handler() {
    if (run_ != run_state::serving) return;
    run_ = run_state::released;
    tell_closed();
  }

  void tell_closed() {
    handler_->on_closed();
    state_->ws_open->add(-1);
  }

  void finished() {
    if (run_ == run_state::over) return;
    if (std::exchange(run_, run_state::over) == run_state::serving) tell_closed();
    drain_.reset();
    kill_.reset();
    cut();
    handler_.reset();  // it holds this sink: the cycle ends here
    if (stop_hook_) *stop_hook_ = nullptr;
    if (on_done_) std::exchange(on_done_, nullptr)();
  }

  bool closing() {
    std::lock_guard lock(mutex_);
    return life_.closing();
  }

  // The close frame goes out once the replies still owed and the frames queued before it have
  // gone; the deadline starts now.
  void post_close() {
    asio::post(strand_, [self = this->shared_from_this()] {
      if (!self->kill_) {
        self->kill_.emplace(self->strand_, close_deadline);
        self->kill_->async_wait([weak = std::weak_ptr<ws_connection>(self)](boost::system::error_code ec) {
          auto s = weak.lock();
          if (ec || !s) return;
          core::log(core::log_level::info, "ws_close_deadline", {{"action", "tcp connection cut"}});
          s->cut();
        });
      }
      self->write_some();
    });
  }

  // A ping from the client is answered with a pong (only the latest, RFC 6455 5.5.3).
  void answer_ping(std::string_view payload) {
    {
      std::lock_guard lock(mutex_);
      pong_.emplace(payload);
    }
    write_some();
  }

  void send_ping() {
    {
      std::lock_guard lock(mutex_);
      ping_due_ = true;
    }
    write_some();
  }

  // The client's close frame: answered with the same code (or 1002/1007 for a bad one) once
  // the replies it is owed have gone.
  void on_close_frame(std::string_view data) {
    std::uint16_t reply = 1000;
    if (data.size() == 1) {
      reply = static_cast<std::uint16_t>(ws_close::protocol_error);
    } else if (data.size() >= 2) {
      auto code = static_cast<std::uint16_t>((static_cast<unsigned char>(data[0]) << 8) |
                                             static_cast<unsigned char>(data[1]));
      if (!ws::valid_close_code(code)) reply = static_cast<std::uint16_t>(ws_close::protocol_error);
      else if (!ws::valid_utf8(data.substr(2))) reply = static_cast<std::uint16_t>(ws_close::invalid_payload);
      else reply = code;
    }
    std::lock_guard lock(mutex_);
    life_.peer_closed(static_cast<ws_close>(reply));
  }

  // Mutex held: moves the next queued frames into the empty `into`: at least one, and more
  // while they add up to under batch_bytes. Both writers take their batches here.
  void take_batch(std::vector<entry>& into) {
    std::size_t bytes = 0, n = 0;
    while (n < queue_.size() && (n == 0 || bytes < batch_bytes)) bytes += queue_[n++].frame->size();
    if (n == queue_.size()) {
      into.swap(queue_);
    } else {
      into.assign(std::make_move_iterator(queue_.begin()), std::make_move_iterator(queue_.begin() + n));
      queue_.erase(queue_.begin(), queue_.begin() + n);
    }
    bytes_ -= bytes;
  }

  static void append_text_frames(std::string& out, const std::vector<entry>& frames) {
    for (auto& e : frames) append_frame(out, ws::opcode::text, *e.frame);
  }

  // Plain TCP, on the flusher's thread (or this connection's): when no write is in flight,
  // the queued frames go straight into the socket with one non-blocking send(2), skipping the
  // hop to the connection's thread (the common case: the kernel takes it all). What it does
  // not take goes on through the connection's writer. False: that writer must do it (control
  // frames, closing).
  bool write_direct() {
    thread_local std::string out;
    thread_local std::vector<entry> batch;
    std::size_t taken = 0;
    {
      std::lock_guard lock(mutex_);
      if (writer_ == writer_state::writing || !life_.may_write_direct() || pong_ || ping_due_) return false;
      writer_ = writer_state::idle;
      if (queue_.empty()) return true;
      last_write_ = clock::now();
      take_batch(batch);
      taken = batch.size();
      out.clear();
      append_text_frames(out, batch);
      batch.clear();
      auto sent = ::send(lowest_.socket().native_handle(), out.data(), out.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
      if (sent < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
        life_.broke();  // the reader sees the error too and ends the connection
        maybe_resume();
        return true;
      }
      std::size_t done = sent < 0 ? 0 : static_cast<std::size_t>(sent);
      if (done < out.size()) {
        // The socket did not take it all: from here on what waits counts against the client.
        writer_ = writer_state::writing;
        asio::post(strand_, [self = this->shared_from_this(), rest = out.substr(done)]() mutable {
          self->wbuf_ = std::move(rest);
          self->start_async_write();
        });
      } else if (!queue_.empty()) {
        writer_ = writer_state::soon;  // more than one batch's bytes were queued
        asio::post(strand_, [self = this->shared_from_this()] { self->write_some(); });
      }
    }
    state_->ws_messages_out->inc(taken);
    return true;
  }

  // Mutex held: nothing more will be written: no write is in flight and, while closing (by
  // either side), our close frame has gone.
  bool writer_done() const { return life_.writer_done(writer_ == writer_state::writing); }

  // Starts a write of everything pending, unless one is in flight (its completion calls
  // this again): control frames first, then queued frames up to batch_bytes, and, when
  // closing, the close frame after the last of them once no reply is owed any more.
  void write_some() {
    bool send_close = false;
    ws_close close_code{};
    {
      std::lock_guard lock(mutex_);
      if (writer_ == writer_state::writing || life_.broken()) return notify_drain();
      writer_ = writer_state::idle;
      if (!life_.may_write()) return notify_drain();  // the close frame went: nothing follows it
      take_batch(sending_);
      wbuf_.clear();
      if (pong_) append_frame(wbuf_, ws::opcode::pong, *pong_);
      if (ping_due_) append_frame(wbuf_, ws::opcode::ping, {});
      pong_.reset();
      ping_due_ = false;
      send_close = life_.take_close_frame(queue_.empty(), owed_replies_ > 0);
      if (send_close) close_code = life_.code();
      if (wbuf_.empty() && sending_.empty() && !send_close) return notify_drain();
      writer_ = writer_state::writing;
      last_write_ = clock::now();
    }
    append_text_frames(wbuf_, sending_);
    if (!sending_.empty()) state_->ws_messages_out->inc(sending_.size());
    sending_.clear();
    if (send_close) {
      auto code = static_cast<std::uint16_t>(close_code);
      char payload[2] = {static_cast<char>(code >> 8), static_cast<char>(code & 0xFF)};
      append_frame(wbuf_, ws::opcode::close, std::string_view(payload, 2));
    }
    start_async_write();
  }

  void start_async_write() {
    asio::async_write(stream_, asio::buffer(wbuf_),
                      asio::bind_executor(strand_, [self = this->shared_from_this()](
                                                       boost::system::error_code ec, std::size_t) {
                        self->written(ec);
                      }));
  }

  void written(boost::system::error_code ec) {
    bool close_went = false;
    {
      std::lock_guard lock(mutex_);
      writer_ = writer_state::idle;
      if (ec) life_.broke();
      close_went = life_.write_completed();
    }
    // Nothing follows a close frame: on plain TCP the FIN tells the client at once (it then
    // answers and closes, instead of waiting for our close deadline). Under TLS a bare FIN
    // would look like a truncation attack, so there the client's close frame ends it.
    if constexpr (std::is_same_v<Stream, beast::tcp_stream>) {
      if (close_went && !ec) {
        boost::system::error_code ignored;
        lowest_.socket().shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
      }
    }
    // An idle connection keeps no write buffer.
    std::string().swap(wbuf_);
    if (ec) {
      cut();
      std::lock_guard lock(mutex_);
      notify_drain();
      return;
    }
    write_some();
    std::lock_guard lock(mutex_);
    maybe_resume();
  }

  // Mutex held: when the writer is done, end_reading()'s wait for it ends.
  void notify_drain() {
    if (drain_ && writer_done()) drain_->cancel();
  }

  // Keep-alive on exact deadlines: a ping once the client has been silent for half the idle
  // timeout, and the TCP connection cut (no close frame: the peer is presumed gone) once it
  // has been silent for the whole of it. The timer wakes at the next deadline computed from
  // the last read, and a read in between only moves the next one.
  std::chrono::milliseconds idle_timeout() const {
    return std::chrono::milliseconds(options_.idle_timeout_seconds * 1000);
  }

  void arm_keepalive() {
    auto idle = idle_timeout();
    auto next = last_read_ + (ping_outstanding_ ? idle : idle / 2);
    keepalive_.expires_at(next);
    keepalive_.async_wait([self = this->shared_from_this()](boost::system::error_code ec) {
      if (!ec) self->on_keepalive();
    });
  }

  void on_keepalive() {
    auto idle = idle_timeout();
    auto silent = clock::now() - last_read_;
    if (silent >= idle) {
      core::log(core::log_level::debug, "ws_idle_timeout", {{"remote", remote_}});
      cut();
      return;
    }
    if (silent >= idle / 2 && !ping_outstanding_) {
      ping_outstanding_ = true;
      send_ping();
    }
    arm_keepalive();
  }

  void reserve_read(std::size_t need) {
    if (rcap_ >= need && rbeg_ + need <= rcap_) return;
    std::size_t cap = std::max({need, read_initial, rcap_});
    auto live = rend_ - rbeg_;
    if (cap > rcap_) {
      auto grown = std::make_unique<char[]>(cap);
      if (live) std::memcpy(grown.get(), rbuf_.get() + rbeg_, live);
      rbuf_ = std::move(grown);
      rcap_ = cap;
    } else if (live) {
      std::memmove(rbuf_.get(), rbuf_.get() + rbeg_, live);
    }
    rbeg_ = 0;
    rend_ = live;
  }

  // Before a read: free space at the end of the buffer, and no large buffer kept idle.
  void compact_read() {
    if (rbeg_ == rend_) {
      rbeg_ = rend_ = 0;
      if (rcap_ > read_keep || !rbuf_) {
        rbuf_ = std::make_unique<char[]>(read_initial);
        rcap_ = read_initial;
      }
    } else if (rbeg_ > 0 || rend_ == rcap_) {
      reserve_read(std::max(rcap_, rend_ - rbeg_ + read_initial));
    }
  }

  Stream& stream_;
  beast::tcp_stream& lowest_;
  std::shared_ptr<void> owner_;
  std::shared_ptr<server_state> state_;
  const ws_options& options_;
  asio::any_io_executor strand_;

  // Strand only.
  std::shared_ptr<ws_handler> handler_;
  std::string remote_;
  std::function<void()> on_done_;
  std::function<void(bool force)>* stop_hook_ = nullptr;
  run_state run_ = run_state::starting;
  asio::steady_timer keepalive_;
  std::optional<asio::steady_timer> kill_;   // the close deadline
  std::optional<asio::steady_timer> drain_;  // finish() waiting for the writer
  clock::time_point last_read_{};
  // Keep-alive: our ping is unanswered (no byte read since it went). Its own flag: it is
  // about the peer's liveness, whatever the closing handshake's phase.
  bool ping_outstanding_ = false;
  std::unique_ptr<char[]> rbuf_;
  std::size_t rcap_ = 0, rbeg_ = 0, rend_ = 0;
  // After a framing error the byte stream cannot be followed: read and discard until the end.
  // The reader's own flag: the connection closes for many reasons, only this one makes the
  // bytes that follow meaningless.
  bool discarding_ = false;
  // The data message being read (RFC 6455 §5.4): between its first and its final fragment,
  // and of which kind; none between messages.
  enum class message_kind { none, text, binary };
  message_kind message_ = message_kind::none;
  std::string fragments_;      // the message's payload so far
  std::string wbuf_;           // the write in flight
  std::vector<entry> sending_;

  std::mutex mutex_;  // guards the members below; never held across I/O
  std::vector<entry> queue_;
  std::size_t bytes_ = 0;
  writer_state writer_ = writer_state::idle;
  clock::time_point last_write_{};       // the last batch handed to the socket
  std::size_t owed_replies_ = 0;         // requests given to the handler, not yet answered
  ws_lifecycle life_;  // the closing handshake's phase, and whether the socket is broken
  // The reader waits for the client's backlog to drain (max_unanswered). Its own flag: the
  // reader's back-pressure, possible only while open (ws_lifecycle::may_pause); any change of
  // phase, and every drained write, wakes it (maybe_resume).
  bool paused_ = false;
  // Control frames for the next write (not queued: they do not count against the client).
  bool ping_due_ = false;             // keep-alive: our ping
  std::optional<std::string> pong_;   // the answer to the client's latest ping
};

}  // namespace

void start_websocket(beast::tcp_stream& stream, ws_run_params params) {
  auto strand = stream.get_executor();
  auto conn = std::make_shared<ws_connection<beast::tcp_stream>>(stream, params, strand);
  conn->start(std::move(params));
}

void start_websocket(asio::ssl::stream<beast::tcp_stream&>& stream, ws_run_params params) {
  auto strand = params.lowest->get_executor();
  auto conn = std::make_shared<ws_connection<asio::ssl::stream<beast::tcp_stream&>>>(stream, params, strand);
  conn->start(std::move(params));
}

}  // namespace samling::net
