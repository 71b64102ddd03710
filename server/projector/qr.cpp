#include "projector/qr.hpp"

#include <memory>
#include <stdexcept>
#include <string>

#include <qrencode.h>

namespace samling::projector {

namespace {

// The quiet zone the QR specification asks for around the symbol: without it some phone
// cameras do not find the finder patterns against a dark projector frame.
constexpr int quiet_zone = 4;

struct qrcode_free {
  void operator()(QRcode* q) const { QRcode_free(q); }
};

}  // namespace

std::string qr_svg(std::string_view text) {
  if (text.empty()) throw std::invalid_argument("qr_svg: empty text");
  const std::string copy(text);  // libqrencode wants a NUL-terminated string
  // Byte mode (8-bit): a URL has lower-case letters, which alphanumeric mode cannot hold.
  std::unique_ptr<QRcode, qrcode_free> code(QRcode_encodeString8bit(copy.c_str(), 0, QR_ECLEVEL_M));
  if (!code) throw std::invalid_argument("qr_svg: the text does not fit in a QR code");
  const int width = code->width;
  const int size = width + 2 * quiet_zone;
  const std::string n = std::to_string(size);
  std::string out;
  out.reserve(static_cast<std::size_t>(width) * static_cast<std::size_t>(width) + 400);
  out += "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  // width/height: an intrinsic size (8 px a module) for an <img> without CSS; CSS that sets a
  // size scales the viewBox instead, without blur.
  const std::string px = std::to_string(size * 8);
  out += "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + px + "\" height=\"" + px + "\" viewBox=\"0 0 " + n +
         " " + n + "\" shape-rendering=\"crispEdges\">";
  out += "<rect width=\"" + n + "\" height=\"" + n + "\" fill=\"#fff\"/>";
  out += "<path fill=\"#000\" d=\"";
  // One subpath per horizontal run of dark modules (bit 0 of each byte is "dark"): far fewer
  // subpaths than one square per module, and no seams between neighbours.
  for (int y = 0; y < width; ++y) {
    const unsigned char* row = code->data + static_cast<std::ptrdiff_t>(y) * width;
    for (int x = 0; x < width;) {
      if (!(row[x] & 1)) {
        ++x;
        continue;
      }
      int run = 1;
      while (x + run < width && (row[x + run] & 1)) ++run;
      out += 'M' + std::to_string(x + quiet_zone) + ' ' + std::to_string(y + quiet_zone) + 'h' +
             std::to_string(run) + "v1h-" + std::to_string(run) + 'z';
      x += run;
    }
  }
  out += "\"/></svg>\n";
  return out;
}

}  // namespace samling::projector
