#include "app/serve.hpp"

#include <sys/resource.h>

#include <algorithm>
#include <csignal>
#include <future>
#include <iostream>
#include <memory>
#include <thread>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>

#include "api/account_routes.hpp"
#include "api/hls_viewers.hpp"
#include "api/http_auth.hpp"
#include "api/live_program.hpp"
#include "api/program_board.hpp"
#include "api/program_routes.hpp"
#include "api/outbox_routes.hpp"
#include "api/press_context.hpp"
#include "api/press_gate.hpp"
#include "api/press_routes.hpp"
#include "api/staff_sessions.hpp"
#include "api/registration_routes.hpp"
#include "api/routes.hpp"
#include "api/stage_board.hpp"
#include "api/stage_routes.hpp"
#include "app/media_setup.hpp"
#include "media/engine.hpp"
#include "core/origin.hpp"
#include "core/blocking.hpp"
#include "core/log.hpp"
#include "media/gst_runtime.hpp"
#include "net/http_server.hpp"
#include "net/router.hpp"
#include "net/static_files.hpp"
#include "net/tls.hpp"
#include "program/demo.hpp"
#include "store/sqlite_account_store.hpp"
#include "store/sqlite_audit_log.hpp"
#include "store/sqlite_db.hpp"
#include "store/sqlite_invitation_store.hpp"
#include "store/sqlite_session_store.hpp"
#include "store/sqlite_chat_store.hpp"
#include "store/sqlite_destination_store.hpp"
#include "store/sqlite_program_store.hpp"
#include "store/sqlite_series_store.hpp"
#include "api/program_io_routes.hpp"
#include "program/demo_series.hpp"
#include "store/sqlite_program_versions.hpp"
#include "store/sqlite_outbox_store.hpp"
#include "store/sqlite_press_store.hpp"
#include "press/access.hpp"
#include "press/registry.hpp"
#include "mail/outbox_worker.hpp"
#include "mail/smtp_sender.hpp"
#include "store/sqlite_registration_store.hpp"
#include "store/sqlite_kiosk_store.hpp"
#include "api/projector_routes.hpp"
#include "api/room_export_routes.hpp"
#include "store/sqlite_moderation_store.hpp"
#include "store/sqlite_qa_store.hpp"
#include "moderation/audit.hpp"
#include "moderation/ops.hpp"
#include "moderation/snapshot.hpp"
#include "qa/ops.hpp"
#include <boost/json/serialize.hpp>
#include "api/protocol_session.hpp"
#include "auth/token.hpp"
#include "rooms/registry.hpp"

namespace samling::app {

namespace asio = boost::asio;
using core::log;
using core::log_level;

namespace {

// Runs `fn` on the pool and waits for it (an exception it throws is rethrown here): used during
// start-up and shutdown, when no network thread is running yet or any more, and by the media
// engine's destination store (below), from the media control thread.
template <typename Fn>
auto on_pool(core::blocking_pool& pool, Fn fn) {
  std::packaged_task<std::invoke_result_t<Fn>()> task(std::move(fn));
  auto result = task.get_future();
  asio::post(pool.executor(), [&task] { task(); });
  return result.get();
}

// The media engine's destination store, on the store's thread: each call hops there and waits,
// so an organizer's change is stored before it is answered. Called from the media control
// thread (and at start-up), never from the store's own thread, which never waits for media.
class destinations_on_store_thread final : public media::destination_store {
 public:
  destinations_on_store_thread(core::blocking_pool& db_pool, store::sqlite_destination_store& store)
      : db_pool_(db_pool), store_(store) {}
  std::vector<media::output_spec> load(const std::string& stage) override {
    return on_pool(db_pool_, [this, &stage] { return store_.load(stage); });
  }
  void save(const std::string& stage, const std::vector<media::output_spec>& all) override {
    on_pool(db_pool_, [this, &stage, &all] { store_.save(stage, all); });
  }

 private:
  core::blocking_pool& db_pool_;
  store::sqlite_destination_store& store_;
};

// Waits until `server` has no open connection or `limit` passes; polling every 20 ms is
// plenty for a shutdown and needs no extra bookkeeping in sessions.
asio::awaitable<bool> drained(net::http_server& server, std::chrono::milliseconds limit) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  asio::steady_timer timer(co_await asio::this_coro::executor);
  while (server.open_connections() > 0 && std::chrono::steady_clock::now() < deadline) {
    timer.expires_after(std::chrono::milliseconds(20));
    co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
  }
  co_return server.open_connections() == 0;
}

// Arguments are references to objects that live until every io_context thread has returned.
// Phase 1 drains within `grace`; phase 2 closes what is left; then the io_context stops, so a
// handler still waiting on the store cannot hold the process up. A second signal during the
// drain skips straight to the end.
asio::awaitable<void> shutdown_on_signal(asio::signal_set& signals, net::http_server& server,
                                         std::chrono::seconds grace, std::atomic<bool>& stopping,
                                         asio::io_context& ioc) {
  auto [ec, signo] = co_await signals.async_wait(asio::as_tuple(asio::use_awaitable));
  if (ec) co_return;
  stopping = true;  // /readyz answers 503 from now on
  signals.async_wait([&server, &ioc](boost::system::error_code sec, int) {
    if (sec) return;
    log(log_level::warn, "shutdown_forced", {{"reason", "second signal"}});
    server.close_all();
    ioc.stop();
  });
  log(log_level::info, "shutdown_started",
      {{"signal", signo == SIGINT ? "SIGINT" : "SIGTERM"}, {"open_connections", server.open_connections()},
       {"grace_seconds", static_cast<long long>(grace.count())}});
  server.stop_accepting();
  if (!co_await drained(server, grace)) {
    log(log_level::warn, "shutdown_grace_expired", {{"open_connections", server.open_connections()}});
    server.close_all();
    co_await drained(server, std::chrono::seconds(2));
  }
  signals.cancel();
  ioc.stop();
}

// Once a second, each stage's viewer count goes to the stage board, which tells the pages that
// watch the stage when it changed. Runs until the io_context stops.
asio::awaitable<void> publish_viewers(api::hls_viewers& viewers, api::stage_board& board,
                                      std::vector<std::string> stages) {
  asio::steady_timer timer(co_await asio::this_coro::executor);
  for (;;) {
    for (auto& id : stages) board.set_viewers(id, viewers.count(id));
    timer.expires_after(std::chrono::seconds(1));
    auto [ec] = co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
    if (ec) co_return;
  }
}

// Press (issue 18): every `every`, what the press registry counted (views, device refusals) goes
// to the store on its thread, so the audit survives a crash with at most that much lost. The
// last flush is serve()'s, at shutdown. Runs until the io_context stops.
asio::awaitable<void> flush_press_audit_every(const api::press_context& press, std::chrono::seconds every) {
  asio::steady_timer timer(co_await asio::this_coro::executor);
  for (;;) {
    timer.expires_after(every);
    auto [ec] = co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
    if (ec) co_return;
    auto flush = [&press] { api::flush_press_audit(press); };  // named: GCC 12; `press` outlives the loop
    try {
      co_await core::run_blocking(*press.db_pool, std::move(flush));
    } catch (const std::exception& e) {
      log(log_level::warn, "press_audit_flush_failed", {{"error", e.what()}});
    }
  }
}

// The press access rules of the configured stages: each stage's event (the configured one, else
// the program's first, as the media engine resolves it), room, and visibility with its embargo.
std::vector<press::access_map::stage_entry> press_stage_entries(const config::config& cfg,
                                                                const std::string& first_event) {
  std::vector<press::access_map::stage_entry> out;
  for (auto& st : cfg.stages) {
    press::access_map::stage_entry e;
    e.id = st.id;
    e.event = st.event.empty() ? first_event : st.event;
    e.room = st.room;
    e.rule.level = press::visibility_from_string(st.visibility).value_or(press::visibility::public_);
    // The old form `public = false` (before visibility existed) meant press only.
    if (!st.is_public && e.rule.level == press::visibility::public_) e.rule.level = press::visibility::press;
    e.rule.public_at = st.public_at;
    out.push_back(std::move(e));
  }
  return out;
}

// Each connection is a file descriptor: raise the soft limit towards max_connections (plus a
// reserve for the store, logs and the acceptor) so the cap answers 503 before accept() fails
// with EMFILE; warn when the hard limit does not allow it.
void fit_descriptor_limit(std::uint32_t max_connections) {
  constexpr rlim_t reserve = 64;
  rlimit lim{};
  if (getrlimit(RLIMIT_NOFILE, &lim) != 0) return;
  rlim_t want = static_cast<rlim_t>(max_connections) + reserve;
  if (lim.rlim_cur >= want) return;
  rlimit raised = lim;
  raised.rlim_cur = std::min(want, lim.rlim_max);
  if (setrlimit(RLIMIT_NOFILE, &raised) == 0) lim = raised;
  if (lim.rlim_cur < want)
    log(log_level::warn, "descriptor_limit_low",
        {{"max_connections", max_connections}, {"nofile", static_cast<long long>(lim.rlim_cur)},
         {"hint", "raise ulimit -n or lower server.limits.max_connections"}});
}

// The main io_context, with execution_context::shutdown() (destroys the queued handlers; the
// destructor calls it again, harmlessly) callable before the context is destroyed.
struct main_context : asio::io_context {
  using asio::io_context::io_context;
  using asio::io_context::shutdown;
};

}  // namespace

int serve(const config::config& cfg) {
  core::log_settings ls;
  core::parse_log_level(cfg.log.level, ls.level);
  ls.json = cfg.log.format == "json";
  core::configure_logging(ls);

  std::shared_ptr<asio::ssl::context> tls;
  if (!cfg.tls.certificate.empty()) {
    std::string error;
    tls = net::make_tls_context(cfg.tls.certificate, cfg.tls.private_key, error);
    if (!tls) {
      std::cerr << "samling: invalid configuration:\n  " << error << "\n";
      return 2;
    }
  }

  std::string gst_error;
  bool gst_ok = media::init_gstreamer(gst_error);
  // Set once the engine exists; the log hook may fire before (and then has nowhere to report).
  static std::atomic<media::engine*> engine_for_logs{nullptr};
  if (gst_ok) {
    media::route_gstreamer_logs([](const std::string& reason, const std::string& detail) {
      if (auto* e = engine_for_logs.load()) e->caller_rejected(reason, detail);
    });
    log(log_level::info, "media_ready", {{"gstreamer", media::gstreamer_version()}});
  } else {
    log(log_level::warn, "media_unavailable", {{"error", gst_error}});
  }

  // The store lives on its own thread: SQLite calls block, and one thread serialises them.
  core::blocking_pool db_pool(1);
  std::unique_ptr<store::sqlite_db> db;
  std::unique_ptr<store::sqlite_program_store> program_store;
  std::unique_ptr<store::sqlite_chat_store> chat_store;
  std::unique_ptr<store::sqlite_destination_store> destination_store;
  std::unique_ptr<store::sqlite_series_store> series_store;  // program-io
  std::unique_ptr<store::sqlite_program_versions> program_versions;
  std::unique_ptr<store::sqlite_registration_store> registration_store;
  std::unique_ptr<store::sqlite_press_store> press_store;  // issue 18
  try {
    on_pool(db_pool, [&] {
      db = std::make_unique<store::sqlite_db>(cfg.store.path);
      program_store = std::make_unique<store::sqlite_program_store>(*db);
      chat_store = std::make_unique<store::sqlite_chat_store>(*db);
      destination_store = std::make_unique<store::sqlite_destination_store>(*db);
      program_versions = std::make_unique<store::sqlite_program_versions>(*db, *program_store);
      registration_store = std::make_unique<store::sqlite_registration_store>(*db);
      press_store = std::make_unique<store::sqlite_press_store>(*db);
      if (cfg.demo.seed && program::seed_demo_if_empty(*program_store, cfg.demo.file)) {
        log(log_level::info, "demo_seeded", {{"file", cfg.demo.file}});
        // The demo's registration is open (registration slice): until 14:00 the day before.
        auto now = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
        for (auto& e : program_store->list_events())
          if (!e.days.empty() && !registration_store->find_settings(e.id))
            if (auto full = program_store->find_event(e.id))
              registration_store->save_settings(registration::demo_settings(e.id, e.days.front(), full->timezone, now), {});
      }
      // program-io: the demo series. A missing or broken series file is logged, not fatal:
      // the conference itself does not depend on it.
      series_store = std::make_unique<store::sqlite_series_store>(*db);
      if (cfg.demo.seed) {
        try {
          if (program::seed_demo_series_if_empty(*series_store, cfg.demo.series_file))
            log(log_level::info, "demo_series_seeded", {{"file", cfg.demo.series_file}});
        } catch (const std::exception& e) {
          log(log_level::warn, "demo_series_not_seeded", {{"error", e.what()}});
        }
      }
    });
  } catch (const std::exception& e) {
    std::cerr << "samling: cannot open the store: " << e.what() << "\n";
    return 1;
  }
  // E-mail: the outbox, on the store's thread like every table. Other slices enqueue through
  // `outbox_store` (a mail::outbox*); the worker that sends it starts below, with mail.smtp_url.
  std::unique_ptr<store::sqlite_outbox_store> outbox_store;
  on_pool(db_pool, [&] { outbox_store = std::make_unique<store::sqlite_outbox_store>(*db); });
  log(log_level::info, "store_ready",
      {{"path", cfg.store.path},
       {"schema_version", on_pool(db_pool, [&] { return db->schema_version(); })}});

  // Join tokens: the configured key signs; previous keys still verify during a rotation. With
  // no secret configured, a random one per start: fine for a demo, but tokens die with it.
  std::string secret = cfg.auth.secret;
  if (secret.empty()) {
    secret = auth::random_secret();
    log(log_level::warn, "auth_random_secret",
        {{"hint", "tokens do not survive a restart; set auth.secret (SAMLING_AUTH_SECRET)"}});
  }
  std::string key_error;
  auto previous = auth::parse_key_list(cfg.auth.previous_keys, key_error);
  if (!previous) {
    std::cerr << "samling: invalid configuration:\n  auth.previous_keys: " << key_error << "\n";
    return 2;
  }
  auth::keyring keys({cfg.auth.key_id, secret}, *previous);
  if (cfg.auth.dev_tokens)
    log(log_level::warn, "auth_dev_tokens_on", {{"route", "POST /api/v1/dev/token"}, {"hint", "never in production"}});

  // Media: the stages of [[stages]], driven on the engine's own control thread.
  api::stage_board stage_board;
  core::blocking_pool file_pool(2);  // HLS segments and recordings read from disk
  destinations_on_store_thread destinations(db_pool, *destination_store);
  std::unique_ptr<media::engine> engine;
  if (cfg.media.enabled && !cfg.stages.empty()) {
    if (!gst_ok) {
      std::cerr << "samling: stages are configured but GStreamer does not start: " << gst_error << "\n";
      return 1;
    }
    auto missing = media::missing_elements({"srtsrc", "tsdemux", "parsebin", "decodebin", "h264parse", "aacparse",
                                            "rtmp2sink", "splitmuxsink", "mpegtsmux", "x264enc",
                                            "avenc_aac", "appsrc", "appsink", "textoverlay", "clockoverlay",
                                            "videotestsrc", "audiotestsrc", "videoconvert", "videoscale",
                                            "videorate", "audioconvert", "audioresample"});
    if (!missing.empty()) {
      std::string list;
      for (auto& m : missing) list += (list.empty() ? "" : ", ") + m;
      std::cerr << "samling: GStreamer elements missing for the stages: " << list
                << " (run deploy/install-deps.sh)\n";
      return 1;
    }
    auto events = on_pool(db_pool, [&] {
      std::vector<program::event> all;
      for (auto& summary : program_store->list_events())
        if (auto e = program_store->find_event(summary.id)) all.push_back(*e);
      return all;
    });
    std::vector<std::string> problems;
    auto specs = stage_specs(cfg, events, problems);
    if (!problems.empty()) {
      std::cerr << "samling: invalid configuration:\n";
      for (auto& p : problems) std::cerr << "  " << p << "\n";
      return 2;
    }
    std::map<std::string, std::vector<media::session_slot>> schedules;
    for (auto& spec : specs)
      for (auto& e : events)
        if (e.id == spec.event) schedules[spec.id] = room_schedule(e, spec.room);
    if (auto problem = install_relay_trust(cfg)) {
      std::cerr << "samling: " << *problem << "\n";
      return 2;
    }
    media::engine_options mo;
    mo.dir = cfg.media.dir;
    mo.relay.connect_timeout = std::chrono::seconds(cfg.media.relay_connect_timeout_seconds);
    mo.relay.hung_after = std::chrono::seconds(cfg.media.relay_hung_seconds);
    mo.relay.backoff.initial = std::chrono::milliseconds(cfg.media.relay_backoff_initial_ms);
    mo.relay.backoff.max = std::chrono::milliseconds(cfg.media.relay_backoff_max_ms);
    engine = std::make_unique<media::engine>(mo, std::move(specs), &destinations,
                                             [&stage_board](const media::stage_status& s) { stage_board.update(s); });
    engine_for_logs = engine.get();
    on_pool(engine->control(), [&] {
      for (auto* st : engine->stages()) st->set_schedule(schedules[st->spec().id]);
      engine->start_autostart();
      for (auto* st : engine->stages()) stage_board.update(st->status());
    });
    log(log_level::info, "media_stages", {{"stages", static_cast<long long>(engine->stages().size())}, {"dir", cfg.media.dir}});
  }

  metrics::registry metrics;
  auto files = net::static_files::load(cfg.server.web_root);
  net::router routes;
  std::atomic<bool> stopping{false};
  api::api_context ctx;
  ctx.program = program_store.get();
  ctx.db_pool = &db_pool;
  ctx.metrics = &metrics;
  ctx.store_ping = [&db] { return db->ping(); };
  ctx.stopping = [&stopping] { return stopping.load(); };
  ctx.dev_token_keys = cfg.auth.dev_tokens ? &keys : nullptr;
  ctx.token_ttl_seconds = cfg.auth.token_ttl_seconds;
  ctx.extra_metrics = [&stage_board] { return stage_board.metrics_text(); };
  // Staff accounts (docs/api.md): sessions, invitations and the audit log on the store's
  // thread; Argon2id hashing on a pool of its own (one thread: at most one 64 MiB hash at a
  // time, and chat messages never wait behind a sign-in).
  auto account_store = std::make_unique<store::sqlite_account_store>(*db);
  auto session_store = std::make_unique<store::sqlite_session_store>(*db);
  auto invitation_store = std::make_unique<store::sqlite_invitation_store>(*db);
  auto audit_log = std::make_unique<store::sqlite_audit_log>(*db);
  core::blocking_pool hash_pool(1);
  api::staff_settings staff_settings;
  staff_settings.limits.idle_seconds = static_cast<std::int64_t>(cfg.auth.session_idle_minutes) * 60;
  staff_settings.limits.max_seconds = static_cast<std::int64_t>(cfg.auth.session_max_hours) * 3600;
  staff_settings.lockout.max_failures = static_cast<int>(cfg.auth.sign_in_max_failures);
  staff_settings.lockout.lock_seconds = static_cast<std::int64_t>(cfg.auth.sign_in_lock_minutes) * 60;
  staff_settings.tls = tls != nullptr;
  api::staff_sessions staff(db_pool, hash_pool, *account_store, *session_store, audit_log.get(), staff_settings);
  api::http_auth callers(&keys, &staff);  // who calls an organizer route: every slice's require()
  api::account_context account_ctx;
  account_ctx.staff = &staff;
  account_ctx.auth = &callers;
  account_ctx.accounts = account_store.get();
  account_ctx.invitations = invitation_store.get();
  account_ctx.audit = audit_log.get();
  account_ctx.outbox = outbox_store.get();
  account_ctx.program = program_store.get();
  account_ctx.invitation_seconds = static_cast<std::int64_t>(cfg.auth.invitation_days) * 86400;
  account_ctx.dev_links = cfg.auth.dev_tokens;
  api::register_account_routes(routes, account_ctx);
  // The live program (organizer edits, versions, now/next): its routes, and GET
  // /api/v1/events/{id} with the marks. The service itself needs the io_context (its timer):
  // program_ctx.live is set below, before the server starts.
  api::program_board program_board;
  api::program_context program_ctx;
  program_ctx.auth = &callers;
  program_ctx.db_pool = &db_pool;
  program_ctx.versions = program_versions.get();
  ctx.event_handler = api::event_handler(program_ctx);
  api::register_routes(routes, ctx);
  // program-io: imports, exports, calendars, series. An import publishes through the live
  // program: program_io_ctx.live is set below with program_ctx.live.
  api::program_io_context program_io_ctx;
  program_io_ctx.program = program_store.get();
  program_io_ctx.series = series_store.get();
  program_io_ctx.db_pool = &db_pool;
  program_io_ctx.auth = &callers;
  {
    std::string base = cfg.server.public_url;
    while (!base.empty() && base.back() == '/') base.pop_back();
    program_io_ctx.public_url = base;
    // The calendars' UID domain: the public host; a fixed name without one, so UIDs stay
    // stable across restarts (the listen port may change).
    std::string host = base.substr(base.find("://") == std::string::npos ? 0 : base.find("://") + 3);
    host = host.substr(0, host.find_first_of(":/"));
    program_io_ctx.host = host.empty() ? "samling.local" : host;
  }
  api::register_program_io_routes(routes, program_io_ctx);
  api::register_program_routes(routes, program_ctx);

  // Press accreditation and gated streams (issue 18; docs/api.md "Press"): the registry of
  // revocations, live devices and uncounted views in memory; the stages' access rules from
  // [[stages]]; grants signed with keys derived from the auth keyring.
  press::registry press_registry(static_cast<std::int64_t>(cfg.press.device_idle_seconds) * 1000);
  press::access_map press_access;
  {
    auto first_event = on_pool(db_pool, [&] {
      auto all = program_store->list_events();
      return all.empty() ? std::string() : all.front().id;
    });
    press_access.set_stages(press_stage_entries(cfg, first_event));
  }
  try {
    press_registry.load_revoked(on_pool(db_pool, [&] { return press_store->revoked_grants(); }));
  } catch (const std::exception& e) {
    std::cerr << "samling: cannot read the revoked press grants: " << e.what() << "\n";
    return 1;
  }
  // The gate's refusal pages name each event and its press contacts without a database read;
  // the settings route keeps the contacts current (api/press_gate.hpp).
  on_pool(db_pool, [&] {
    for (auto& e : program_store->list_events()) {
      api::set_press_event_title(e.id, e.title);
      if (auto s = press_store->find_settings(e.id)) api::set_press_contacts(e.id, s->contacts);
    }
  });
  api::press_context press_ctx;
  press_ctx.registry = &press_registry;
  press_ctx.access = &press_access;
  press_ctx.keys = &keys;
  press_ctx.store = press_store.get();
  press_ctx.program = program_store.get();
  press_ctx.outbox = outbox_store.get();
  press_ctx.audit = audit_log.get();
  press_ctx.db_pool = &db_pool;
  press_ctx.auth = &callers;
  press_ctx.options.device_cap = cfg.press.device_cap;
  press_ctx.options.segment_token_seconds = cfg.press.segment_token_seconds;
  press_ctx.options.grace_before_seconds = static_cast<std::int64_t>(cfg.press.grace_before_minutes) * 60;
  press_ctx.options.grace_after_seconds = static_cast<std::int64_t>(cfg.press.grace_after_minutes) * 60;
  press_ctx.public_url = cfg.server.public_url;  // else the listening URL, below
  press_ctx.dev_links = cfg.auth.dev_tokens;
  api::register_press_routes(routes, press_ctx, &stage_board);  // the board: stage names and states
  api::stages_context stages_ctx;
  stages_ctx.engine = engine.get();
  stages_ctx.board = &stage_board;
  stages_ctx.keys = &keys;
  stages_ctx.auth = &callers;  // tokens and staff sessions, as every organizer route
  stages_ctx.files = &file_pool;
  stages_ctx.press = &press_ctx;  // /live/'s gate on the stages that are not public (api/press_gate.*)
  stages_ctx.layout = media::layout(cfg.media.dir);
  // Viewers per stage: /live/ reports its clients, the board shows their number (below).
  std::vector<std::string> stage_ids;
  if (engine)
    for (auto& st : cfg.stages) stage_ids.push_back(st.id);
  api::hls_viewers viewers(stage_ids);
  stages_ctx.viewers = &viewers;
  api::register_stage_routes(routes, stages_ctx);
  // E-mail: the outbox route (organizers), the dev route with auth.dev_tokens, and the sender.
  api::outbox_context outbox_ctx;
  outbox_ctx.outbox = outbox_store.get();
  outbox_ctx.db_pool = &db_pool;
  outbox_ctx.auth = &callers;
  outbox_ctx.dev_mail = cfg.auth.dev_tokens;
  api::register_outbox_routes(routes, outbox_ctx);
  std::unique_ptr<mail::smtp_sender> smtp;
  std::unique_ptr<mail::outbox_worker> mail_worker;
  if (!cfg.mail.smtp_url.empty()) {
    mail::smtp_settings ms;
    ms.url = cfg.mail.smtp_url;
    ms.starttls = cfg.mail.starttls;
    ms.username = cfg.mail.username;
    ms.password = cfg.mail.password;
    ms.ca_file = cfg.mail.ca_file;
    ms.from = {cfg.mail.from, cfg.mail.from_name};
    ms.timeout = std::chrono::seconds(cfg.mail.timeout_seconds);
    smtp = std::make_unique<mail::smtp_sender>(ms);
    mail::worker_settings ws;
    ws.max_attempts = static_cast<int>(cfg.mail.max_attempts);
    ws.backoff_initial = std::chrono::seconds(cfg.mail.backoff_initial_seconds);
    ws.backoff_max = std::chrono::seconds(cfg.mail.backoff_max_seconds);
    auto& deliveries = metrics.counter_family("samling_mail_deliveries_total",
                                              "E-mail deliveries tried, by outcome (sent, retry, failed, interrupted).",
                                              {"outcome"});
    ws.on_outcome = [&deliveries](std::string_view outcome) { deliveries.with({std::string(outcome)}).inc(); };
    mail_worker = std::make_unique<mail::outbox_worker>(
        *outbox_store, *smtp, [&db_pool](std::function<void()> fn) { on_pool(db_pool, std::move(fn)); }, ws);
    on_pool(db_pool, [&] { outbox_store->on_enqueue([w = mail_worker.get()] { w->notify(); }); });
    mail_worker->start();
    log(log_level::info, "mail_sending", {{"smtp", cfg.mail.smtp_url}, {"starttls", cfg.mail.starttls}});
  } else {
    log(log_level::info, "mail_not_sending", {{"hint", "mail.smtp_url is empty: messages stay in the outbox"}});
  }
  // Registration (docs/api.md, Registration): confirmations through the outbox, settings in the audit log.
  api::registration_context registration_ctx;
  registration_ctx.program = program_store.get();
  registration_ctx.store = registration_store.get();
  registration_ctx.db_pool = &db_pool;
  registration_ctx.auth = &callers;
  registration_ctx.keys = &keys;
  registration_ctx.outbox = outbox_store.get();
  registration_ctx.audit = audit_log.get();
  registration_ctx.public_url = cfg.server.public_url;  // else the listening URL, below
  registration_ctx.dev_links = cfg.auth.dev_tokens;
  api::register_registration_routes(routes, registration_ctx);
  // The projector (docs/api.md, "Q&A, moderation and the projector"): QR codes, kiosk links.
  std::unique_ptr<store::sqlite_kiosk_store> kiosk_store;
  on_pool(db_pool, [&] { kiosk_store = std::make_unique<store::sqlite_kiosk_store>(*db); });
  api::projector_context projector_ctx;
  projector_ctx.program = program_store.get();
  projector_ctx.kiosks = kiosk_store.get();
  projector_ctx.audit = audit_log.get();
  projector_ctx.db_pool = &db_pool;
  projector_ctx.auth = &callers;
  projector_ctx.public_url = cfg.server.public_url;  // empty: the request's Host
  // A revoked link's projectors close with 4011; the rooms exist only further down.
  rooms::room_registry* kiosk_rooms = nullptr;
  projector_ctx.close_kiosk = [&kiosk_rooms](const std::string& event_id, const std::string& user_id) {
    if (kiosk_rooms) kiosk_rooms->close_user(event_id, user_id, core::ws_close::kiosk_revoked);
  };
  api::register_projector_routes(routes, projector_ctx);
  // Q&A and moderation (issue 17): one store of each on the store's thread, for the rooms'
  // operations (below) and for the exports, the moderation log and the Q&A settings.
  std::unique_ptr<store::sqlite_qa_store> qa_store;
  std::unique_ptr<store::sqlite_moderation_store> moderation_store;
  on_pool(db_pool, [&] {
    qa_store = std::make_unique<store::sqlite_qa_store>(*db);
    moderation_store = std::make_unique<store::sqlite_moderation_store>(*db);
  });
  api::room_export_context export_ctx;
  export_ctx.program = program_store.get();
  export_ctx.chat = chat_store.get();
  export_ctx.qa = qa_store.get();
  export_ctx.moderation = moderation_store.get();
  export_ctx.audit = audit_log.get();
  export_ctx.db_pool = &db_pool;
  export_ctx.auth = &callers;
  api::register_room_export_routes(routes, export_ctx);

  fit_descriptor_limit(cfg.server.limits.max_connections);
  unsigned threads = cfg.server.threads ? cfg.server.threads : std::max(1u, std::thread::hardware_concurrency());
  main_context ioc(static_cast<int>(threads));
  // Connections run on their own threads, one io_context each (net/io_pool.hpp); `ioc` runs
  // the acceptor, rooms, the WebSocket flusher and the timers of shared services.
  net::io_pool connection_threads(threads);
  net::server_options opt;
  opt.listen = cfg.server.listen;
  opt.port = static_cast<std::uint16_t>(cfg.server.port);
  opt.max_header_bytes = cfg.server.limits.max_header_bytes;
  opt.max_body_bytes = cfg.server.limits.max_body_bytes;
  opt.idle_timeout = std::chrono::seconds(cfg.server.limits.idle_timeout_seconds);
  opt.request_timeout = std::chrono::seconds(cfg.server.limits.request_timeout_seconds);
  opt.max_connections = cfg.server.limits.max_connections;
  opt.access_log = cfg.log.access_log;
  opt.allowed_origins = core::split_origins(cfg.server.allowed_origins);
  // Rooms: one actor per room on the io_context, chat stored on the store's thread.
  rooms::rate_limiter limiter(cfg.rooms.rate_burst, cfg.rooms.rate_per_minute);
  rooms::room_settings room_settings;
  room_settings.history = cfg.rooms.history;
  room_settings.resume_window = cfg.rooms.resume_window;
  rooms::room_services room_services;
  room_services.db = &db_pool;
  room_services.store = chat_store.get();
  auto chat_writer = std::make_shared<rooms::chat_writer>(db_pool, *chat_store);
  room_services.writer = chat_writer.get();
  room_services.limiter = &limiter;
  room_services.messages_posted =
      &metrics.counter_family("samling_chat_messages_total", "Chat messages stored and fanned out.").get();
  // The room's log (issue 17): Q&A and moderation on the store's thread. close_users is the
  // registry's own (a ban closes with 4010).
  room_services.snapshot = [qa = qa_store.get(), mod = moderation_store.get(), chat = chat_store.get(),
                            max = std::size_t{cfg.qa.question_max_chars}](rooms::op_env& env) {
    auto o = qa::snapshot(*qa, env, max);
    moderation::extend_snapshot(o, *mod, *chat, env);
    return std::string(boost::json::serialize(o));
  };
  room_services.gate = [mod = moderation_store.get()](const rooms::chat_message& m, bool staff) {
    return moderation::gate_post(*mod, m, staff);
  };
  room_services.tally = [qa = qa_store.get()](std::vector<std::string> questions,
                                               std::vector<std::string> polls) -> rooms::op_fn {
    return [qa, questions = std::move(questions), polls = std::move(polls)](rooms::op_env& env) {
      return qa::tally(*qa, env, questions, polls);
    };
  };
  room_services.audit = moderation::audit_to(*moderation_store);
  rooms::room_registry room_registry(ioc.get_executor(), room_settings, room_services, program_store.get());
  kiosk_rooms = &room_registry;
  ctx.rooms = &room_registry;  // the members route and samling_room_members (ctx outlives the server)
  // A revoked kiosk link closes that projector's connections (4011).
  projector_ctx.close_kiosk = [&room_registry](const std::string& event, const std::string& user) {
    room_registry.close_user(event, user, core::ws_close::kiosk_revoked);
  };
  // A revoked press grant closes its sessions in that event (their user id is the grant id) with
  // 4012. The registry calls this outside its lock, from whichever thread revoked.
  press_registry.on_revoke([&room_registry](const std::string& event, const std::string& grant_id) {
    room_registry.close_user(event, grant_id, core::ws_close::grant_revoked);
  });
  api::protocol_settings ws_settings;
  ws_settings.max_rooms_per_session = cfg.rooms.max_rooms_per_session;
  ws_settings.text_max_chars = cfg.rooms.text_max_chars;
  ws_settings.history = cfg.rooms.history;
  ws_settings.rate_burst = cfg.rooms.rate_burst;
  ws_settings.rate_per_minute = cfg.rooms.rate_per_minute;
  ws_settings.hello_timeout = std::chrono::seconds(cfg.ws.hello_timeout_seconds);
  ws_settings.guest_token_ttl = std::chrono::seconds(cfg.auth.token_ttl_seconds);
  ws_settings.question_max_chars = cfg.qa.question_max_chars;
  opt.ws.max_frame_bytes = cfg.ws.max_frame_bytes;
  opt.ws.send_queue_messages = cfg.ws.send_queue_messages;
  opt.ws.send_queue_bytes = cfg.ws.send_queue_bytes;
  opt.ws.idle_timeout_seconds = cfg.ws.idle_timeout_seconds;
  opt.ws.write_batch = std::chrono::milliseconds(cfg.ws.write_batch_ms);
  opt.ws.batch_above_frames_per_second = cfg.ws.batch_above_frames_per_second;
  api::live_program_services live_services;
  live_services.programs = program_store.get();
  live_services.versions = program_versions.get();
  live_services.db_pool = &db_pool;
  live_services.board = &program_board;
  live_services.rooms = &room_registry;
  live_services.engine = engine.get();
  live_services.audit = audit_log.get();
  api::live_program live_program(ioc.get_executor(), live_services);
  try {
    live_program.start();  // reads every event's program for the now/next timer
  } catch (const std::exception& e) {
    std::cerr << "samling: cannot read the program: " << e.what() << "\n";
    return 1;
  }
  program_ctx.live = &live_program;
  program_io_ctx.live = &live_program;
  opt.ws_factory = api::make_protocol_session_factory(
      ws_settings, {.rooms = &room_registry, .keys = &keys, .stages = &stage_board, .programs = &program_board,
                    .staff = &staff, .qa = qa_store.get(), .moderation = moderation_store.get(),
                    .chat = chat_store.get(), .kiosks = kiosk_store.get(), .db = &db_pool,
                    .press = &press_ctx});
  net::http_server server(ioc, connection_threads, opt, routes, files, metrics, tls);

  std::uint16_t port = 0;
  try {
    port = server.start();
  } catch (const std::exception& e) {
    std::cerr << "samling: cannot listen on " << cfg.server.listen << ":" << cfg.server.port
              << ": " << e.what() << "\n";
    return 1;
  }

  asio::signal_set signals(ioc, SIGINT, SIGTERM);
  asio::co_spawn(ioc,
                 shutdown_on_signal(signals, server,
                                    std::chrono::seconds(cfg.server.limits.shutdown_grace_seconds),
                                    stopping, ioc),
                 asio::detached);
  std::signal(SIGPIPE, SIG_IGN);
  if (!stage_ids.empty()) asio::co_spawn(ioc, publish_viewers(viewers, stage_board, stage_ids), asio::detached);
  asio::co_spawn(ioc, flush_press_audit_every(press_ctx, std::chrono::seconds(std::max(1u, cfg.press.audit_flush_seconds))),
                 asio::detached);

  auto host = cfg.server.listen.find(':') != std::string::npos ? "[" + cfg.server.listen + "]"
                                                                : cfg.server.listen;
  std::string url = std::string(tls ? "https" : "http") + "://" + host + ":" + std::to_string(port) + "/";
  account_ctx.public_url = cfg.server.public_url.empty() ? url : cfg.server.public_url;  // before any request
  if (registration_ctx.public_url.empty()) registration_ctx.public_url = url;  // before any request runs
  if (press_ctx.public_url.empty()) press_ctx.public_url = url;                // before any request runs
  log(log_level::info, "listening", {{"url", url}, {"threads", threads}});
  // Scripts and tests read this line to learn the port (it may be 0 in the config).
  std::cout << "samling: listening on " << url << std::endl;

  connection_threads.start();
  std::vector<std::thread> pool;
  for (unsigned i = 1; i < threads; ++i) pool.emplace_back([&ioc] { ioc.run(); });
  ioc.run();
  for (auto& t : pool) t.join();
  connection_threads.stop();
  // Handlers still queued hold objects of the other contexts (the acceptor's last accept holds
  // a socket of a pool context; a session's last handler in a pool context holds the server
  // state and its flusher's timer on `ioc`), so neither context may be destroyed with its
  // handlers while the other is gone: destroy ioc's now, while both exist; the pool's go with
  // the pool, before `ioc`. (AddressSanitizer: heap-use-after-free at every shutdown.)
  live_program.stop();
  ioc.shutdown();
  stopping = true;
  // Stages stop on their control thread (relays close, recordings end on what was written).
  engine_for_logs = nullptr;
  engine.reset();
  file_pool.stop();
  // The sender first: a delivery in progress ends and its message goes back to the queue.
  if (mail_worker) {
    mail_worker->stop();
    on_pool(db_pool, [&] { outbox_store->on_enqueue({}); });
  }

  // The press audit's last counts (the flush timer stopped with the io_context), before the
  // stores close.
  on_pool(db_pool, [&] {
    try {
      api::flush_press_audit(press_ctx);
    } catch (const std::exception& e) {
      log(log_level::warn, "press_audit_flush_failed", {{"error", e.what()}});
    }
  });
  on_pool(db_pool, [&] {
    try {
      db->checkpoint();
    } catch (const std::exception& e) {
      log(log_level::warn, "store_checkpoint_failed", {{"error", e.what()}});
    }
    outbox_store.reset();
    kiosk_store.reset();
    qa_store.reset();
    moderation_store.reset();
    destination_store.reset();
    series_store.reset();
    program_versions.reset();
    registration_store.reset();
    press_store.reset();
    chat_store.reset();
    program_store.reset();
    db.reset();
  });
  db_pool.stop();
  log(log_level::info, "stopped", {});
  return 0;
}

}  // namespace samling::app
