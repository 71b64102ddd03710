#include "media/gst_runtime.hpp"

#include <mutex>

#include <gst/gst.h>

namespace samling::media {

bool init_gstreamer(std::string& error) {
  static std::once_flag once;
  static bool ok = false;
  static std::string init_error;
  std::call_once(once, [] {
    GError* err = nullptr;
    ok = gst_init_check(nullptr, nullptr, &err);
    if (!ok) {
      init_error = err ? err->message : "gst_init_check failed";
      if (err) g_error_free(err);
    }
  });
  if (!ok) error = init_error;
  return ok;
}

std::string gstreamer_version() {
  gchar* v = gst_version_string();
  std::string out = v ? v : "GStreamer (unknown version)";
  g_free(v);
  return out;
}

std::vector<std::string> missing_elements(const std::vector<std::string>& names) {
  std::vector<std::string> missing;
  for (auto& n : names) {
    GstElementFactory* f = gst_element_factory_find(n.c_str());
    if (f) gst_object_unref(f);
    else missing.push_back(n);
  }
  return missing;
}

}  // namespace samling::media
