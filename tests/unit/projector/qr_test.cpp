// The projector's QR code: the SVG draws exactly libqrencode's modules with the quiet zone, and
// a real decoder (zbarimg, after rsvg-convert renders the SVG as PNG) reads back the URL.
#include "projector/qr.hpp"

#include <qrencode.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "temp_dir.hpp"

namespace samling::projector {
namespace {

using samling::testing::temp_dir;

// The dark modules the SVG's path draws, as a size × size grid (1 = dark), from its subpaths
// "M x y h n v1 h-n z".
std::vector<std::vector<int>> modules_of(const std::string& svg, int size) {
  std::vector<std::vector<int>> grid(static_cast<std::size_t>(size), std::vector<int>(static_cast<std::size_t>(size), 0));
  std::regex run(R"(M(\d+) (\d+)h(\d+)v1h-(\d+)z)");
  for (auto it = std::sregex_iterator(svg.begin(), svg.end(), run); it != std::sregex_iterator(); ++it) {
    int x = std::stoi((*it)[1]), y = std::stoi((*it)[2]), n = std::stoi((*it)[3]);
    EXPECT_EQ(n, std::stoi((*it)[4]));
    for (int k = 0; k < n; ++k) {
      EXPECT_LT(x + k, size);
      EXPECT_LT(y, size);
      if (x + k < size && y < size) grid[static_cast<std::size_t>(y)][static_cast<std::size_t>(x + k)] += 1;
    }
  }
  return grid;
}

std::string run(const std::string& command) {
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(::popen(command.c_str(), "r"), ::pclose);
  if (!pipe) return {};
  std::string out;
  char buf[512];
  while (std::size_t n = std::fread(buf, 1, sizeof buf, pipe.get())) out.append(buf, n);
  return out;
}

bool have(const char* tool) { return std::system((std::string("command -v ") + tool + " >/dev/null 2>&1").c_str()) == 0; }

const std::string url = "http://127.0.0.1:8080/#event=stockholm-tillsammans-2027&room=seminar-2&qa=1";

TEST(qr_svg, is_one_path_with_view_box_quiet_zone_and_crisp_edges) {
  const auto svg = qr_svg(url);
  std::unique_ptr<QRcode, void (*)(QRcode*)> code(QRcode_encodeString8bit(url.c_str(), 0, QR_ECLEVEL_M), QRcode_free);
  ASSERT_TRUE(code);
  const int size = code->width + 8;
  const auto n = std::to_string(size);
  EXPECT_NE(svg.find("viewBox=\"0 0 " + n + " " + n + "\""), std::string::npos) << svg.substr(0, 300);
  EXPECT_NE(svg.find("shape-rendering=\"crispEdges\""), std::string::npos);
  const auto px = std::to_string(size * 8);
  EXPECT_NE(svg.find("width=\"" + px + "\" height=\"" + px + "\""), std::string::npos);
  std::size_t paths = 0;
  for (auto p = svg.find("<path"); p != std::string::npos; p = svg.find("<path", p + 1)) ++paths;
  EXPECT_EQ(paths, 1u);
  // Every module drawn once, exactly where libqrencode put a dark one; nothing in the quiet zone.
  auto grid = modules_of(svg, size);
  for (int y = 0; y < size; ++y)
    for (int x = 0; x < size; ++x) {
      const bool inside = x >= 4 && y >= 4 && x < size - 4 && y < size - 4;
      const int expected = inside ? (code->data[(y - 4) * code->width + (x - 4)] & 1) : 0;
      ASSERT_EQ(grid[static_cast<std::size_t>(y)][static_cast<std::size_t>(x)], expected) << "module " << x << "," << y;
    }
}

TEST(qr_svg, refuses_empty_and_oversized_text) {
  EXPECT_THROW(qr_svg(""), std::invalid_argument);
  EXPECT_THROW(qr_svg(std::string(4000, 'a')), std::invalid_argument);
  EXPECT_NO_THROW(qr_svg(std::string(1000, 'a')));
}

// Needs rsvg-convert (librsvg2-bin) and zbarimg (zbar-tools), which deploy/install-deps.sh installs.
TEST(qr_svg, decodes_back_to_the_url) {
  ASSERT_TRUE(have("rsvg-convert") && have("zbarimg"))
      << "install librsvg2-bin and zbar-tools (deploy/install-deps.sh) to decode the QR code";
  temp_dir dir;
  for (const std::string& text : {url, std::string("https://samling.example/#event=e&room=r-\xc3\xa5&qa=1")}) {
    const auto svg = dir.write("qr.svg", qr_svg(text));
    const auto png = dir.file("qr.png");
    ASSERT_EQ(std::system(("rsvg-convert -w 400 -h 400 -o '" + png + "' '" + svg + "'").c_str()), 0);
    // --raw: the decoded text alone; -Sbinary keeps the bytes as they were encoded.
    auto decoded = run("zbarimg --quiet --raw -Sbinary '" + png + "'");
    while (!decoded.empty() && (decoded.back() == '\n' || decoded.back() == '\r')) decoded.pop_back();
    EXPECT_EQ(decoded, text);
  }
}

}  // namespace
}  // namespace samling::projector
