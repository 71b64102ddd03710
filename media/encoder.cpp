#include "media/encoder.hpp"

#include <algorithm>
#include <stdexcept>

#include <gst/app/gstappsink.h>
#include <gst/app/gstappsrc.h>

namespace samling::media {

std::string raw_video_caps(const produced_spec& p) {
  return "video/x-raw,format=I420,width=" + std::to_string(p.width) + ",height=" + std::to_string(p.height) +
         ",framerate=" + std::to_string(p.fps) + "/1,pixel-aspect-ratio=1/1";
}

const char* const raw_audio_caps = "audio/x-raw,format=S16LE,layout=interleaved,rate=48000,channels=2";

namespace {

// Each appsink hands its samples to the hub. x264enc shifts its timestamps by 1000 hours (so
// DTS is never negative) and moves its segment with them: the running time is the stage
// timeline again.
void attach_output(GstElement* sink, track t, hub& out) {
  struct ctx {
    hub* out;
    track t;
  };
  GstAppSinkCallbacks cb{};
  cb.new_sample = [](GstAppSink* s, gpointer p) -> GstFlowReturn {
    auto* c = static_cast<ctx*>(p);
    GstSample* sample = gst_app_sink_pull_sample(s);
    if (!sample) return GST_FLOW_EOS;
    if (GstBuffer* b = running_time_copy(sample)) {
      c->out->push(c->t, b, gst_sample_get_caps(sample));
      gst_buffer_unref(b);
    }
    gst_sample_unref(sample);
    return GST_FLOW_OK;
  };
  gst_app_sink_set_callbacks(GST_APP_SINK(sink), &cb, new ctx{&out, t}, [](gpointer p) { delete static_cast<ctx*>(p); });
}

}  // namespace

encoder::encoder(const stage_spec& spec, hub& out, std::function<void(bus_event)> bus) {
  const auto& p = spec.produced;
  auto keyint = std::max(1u, static_cast<unsigned>(p.fps * p.keyframe_seconds + 0.5));
  std::string desc =
      "appsrc name=vin format=time is-live=true do-timestamp=false block=false caps=" +
      launch_quote(raw_video_caps(p)) +
      " ! queue max-size-buffers=0 max-size-bytes=0 max-size-time=2000000000 leaky=downstream"
      " ! x264enc name=venc tune=zerolatency speed-preset=" + p.preset + " bitrate=" + std::to_string(p.video_kbps) +
      " key-int-max=" + std::to_string(keyint) + " bframes=0 option-string=scenecut=0"
      " ! h264parse config-interval=-1 ! video/x-h264,stream-format=byte-stream,alignment=au"
      " ! appsink name=vout sync=false "
      "appsrc name=ain format=time is-live=true do-timestamp=false block=false caps=" + launch_quote(raw_audio_caps) +
      " ! queue max-size-buffers=0 max-size-bytes=0 max-size-time=2000000000 leaky=downstream"
      " ! audioconvert ! avenc_aac bitrate=" + std::to_string(p.audio_kbps * 1000) +
      " ! aacparse ! audio/mpeg,mpegversion=4,stream-format=raw ! appsink name=aout sync=false";
  pipeline_ = std::make_unique<pipeline>("encoder-" + spec.id, desc);
  video_in_ = pipeline_->by_name("vin");
  audio_in_ = pipeline_->by_name("ain");
  attach_output(pipeline_->by_name("vout").get(), track::video, out);
  attach_output(pipeline_->by_name("aout").get(), track::audio, out);
  pipeline_->on_bus(std::move(bus));
}

encoder::~encoder() {
  gst_app_src_end_of_stream(GST_APP_SRC(video_in_.get()));
  video_in_.reset();
  audio_in_.reset();
  pipeline_.reset();
}

bool encoder::play() { return pipeline_->play(); }

void encoder::push(track t, GstBuffer* b) {
  GstElement* in = t == track::video ? video_in_.get() : audio_in_.get();
  gst_app_src_push_buffer(GST_APP_SRC(in), b);
}

std::string encoder::dot() const { return pipeline_->dot(); }

}  // namespace samling::media
