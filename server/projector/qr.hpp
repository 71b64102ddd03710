#pragma once
// The QR code on the projector and behind GET …/rooms/{r}/qr.svg: people in the hall scan it to
// reach the room's Q&A page. Encoded by libqrencode (Debian's libqrencode), drawn as SVG here.
// No I/O.
#include <string>
#include <string_view>

namespace samling::projector {

// `text` as a QR code (byte mode, error correction level M, the version libqrencode picks) in
// an SVG document: one <path> of the dark modules on a white square, a quiet zone of 4 modules,
// a viewBox in module units (so it scales to any size without blur) and
// shape-rendering="crispEdges". Throws std::invalid_argument when the text does not fit in a
// QR code (over ~2,300 bytes at level M) or is empty.
std::string qr_svg(std::string_view text);

}  // namespace samling::projector
