#include "media/engine.hpp"

#include <map>

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include "core/log.hpp"
#include "media/consumer.hpp"
#include "media/stage.hpp"

namespace samling::media {

namespace asio = boost::asio;

// The engine's state, all of it touched only on the control thread (except the pool itself).
// Behind engine.hpp's pointer so that the header needs neither GStreamer nor asio's timers.
struct engine::impl {
  impl(engine_options o, std::function<void(const stage_status&)> on_change)
      : opts(std::move(o)), files(opts.dir), on_change(std::move(on_change)) {}

  void changed(const std::string& id);
  void tick();
  void shutdown();
  stage* find(const std::string& id) const {
    for (auto& s : stages)
      if (s->spec().id == id) return s.get();
    return nullptr;
  }

  core::blocking_pool control{1};
  engine_options opts;
  media::layout files;
  std::function<void(const stage_status&)> on_change;
  std::vector<std::unique_ptr<stage>> stages;
  std::map<std::string, bool> dirty;
  std::unique_ptr<asio::steady_timer> timer;
  bool flush_pending = false;
  std::int64_t last_flush_ms = 0;
  bool stopped = false;
};

engine::engine(engine_options opts, std::vector<stage_spec> specs, destination_store* destinations,
               std::function<void(const stage_status&)> on_change)
    : impl_(std::make_unique<impl>(std::move(opts), std::move(on_change))) {
  auto* self = impl_.get();
  for (auto& s : specs) {
    auto id = s.id;
    self->stages.push_back(std::make_unique<stage>(self->control.executor(), std::move(s), self->opts, destinations,
                                                   [self, id] { self->changed(id); }));
  }
}

engine::~engine() {
  // Stop on the control thread (pipelines and timers belong to it), then join it.
  auto* self = impl_.get();
  asio::post(self->control.executor(), [self] { self->shutdown(); });
  self->control.stop();
  // Retired pipelines may still post bus messages to the control thread's pool until they
  // are gone; it must outlive them (a SIGTERM with a running stage crashed here).
  if (!drain_retired(std::chrono::seconds(10)))
    core::log(core::log_level::warn, "media_shutdown_slow", {{"detail", "a pipeline did not stop within 10 s"}});
}

core::blocking_pool& engine::control() { return impl_->control; }

const layout& engine::layout() const { return impl_->files; }

void engine::start_autostart() {
  for (auto& s : impl_->stages)
    if (s->spec().autostart) s->start();
  impl_->timer = std::make_unique<asio::steady_timer>(impl_->control.executor());
  impl_->tick();
}

void engine::impl::tick() {
  timer->expires_after(std::chrono::seconds(2));
  timer->async_wait([this](boost::system::error_code ec) {
    if (ec || stopped) return;
    for (auto& s : stages)
      if (s->running()) changed(s->spec().id);
    tick();
  });
}

stage_control* engine::find(const std::string& id) const { return impl_->find(id); }

std::vector<stage_control*> engine::stages() const {
  std::vector<stage_control*> out;
  for (auto& s : impl_->stages) out.push_back(s.get());
  return out;
}

void engine::shutdown() { impl_->shutdown(); }

void engine::impl::shutdown() {
  if (stopped) return;
  stopped = true;
  if (timer) timer->cancel();
  for (auto& s : stages) s->stop();
  stages.clear();
}

void engine::caller_rejected(const std::string& reason, const std::string& detail) {
  auto* self = impl_.get();
  asio::post(self->control.executor(), [self, reason, detail] {
    stage* only = nullptr;
    int running_srt = 0;
    for (auto& s : self->stages)
      if (s->running() && s->spec().input.kind == input_kind::srt_listener) {
        only = s.get();
        ++running_srt;
      }
    if (running_srt == 1) {
      only->caller_rejected(reason, detail);
      return;
    }
    core::log(core::log_level::warn, "srt_caller_rejected",
              {{"reason", reason}, {"detail", detail}, {"note", "no stage's listener claimed it"}});
  });
}

void engine::impl::changed(const std::string& id) {
  if (stopped) return;
  dirty[id] = true;
  if (flush_pending) return;
  flush_pending = true;
  // A change goes out at once; a burst of them (a reconnect touches several fields) is
  // coalesced into one snapshot at most every 100 ms, so the page follows the picture within
  // a tenth of a second and a flapping input cannot flood it.
  constexpr std::int64_t coalesce_ms = 100;
  auto since = steady_ms() - last_flush_ms;
  auto delay = std::chrono::milliseconds(since >= coalesce_ms ? 0 : coalesce_ms - since);
  auto t = std::make_shared<asio::steady_timer>(control.executor(), delay);
  t->async_wait([this, t](boost::system::error_code) {
    flush_pending = false;
    if (stopped) return;
    last_flush_ms = steady_ms();
    auto due = std::move(dirty);
    dirty.clear();
    for (auto& [sid, _] : due)
      if (auto* s = find(sid); s && on_change) on_change(s->status());
  });
}

}  // namespace samling::media
