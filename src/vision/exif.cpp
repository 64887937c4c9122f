#include "vision/exif.h"

#include <cmath>
#include <cstring>

namespace smolvlm::detail {
namespace {

// Bounds-checked reads of a TIFF block in its declared byte order.
class TiffReader {
 public:
  TiffReader(std::span<const uint8_t> bytes, bool big_endian) : bytes_(bytes), big_endian_(big_endian) {}

  bool has(uint64_t offset, uint64_t size) const { return offset <= bytes_.size() && size <= bytes_.size() - offset; }

  uint64_t uint(uint64_t offset, int size) const {
    uint64_t v = 0;
    for (int i = 0; i < size; ++i) {
      const uint64_t byte = bytes_[offset + (big_endian_ ? i : size - 1 - i)];
      v = (v << 8) | byte;
    }
    return v;
  }

 private:
  std::span<const uint8_t> bytes_;
  bool big_endian_;
};

// Bytes per value of the TIFF field types Pillow's ImageFileDirectory_v2 can
// load; 0 for types it skips.
int unit_size(uint16_t type) {
  switch (type) {
    case 1: case 2: case 6: case 7: return 1;  // BYTE ASCII SBYTE UNDEFINED
    case 3: case 8: return 2;                  // SHORT SSHORT
    case 4: case 9: case 11: case 13: return 4;  // LONG SLONG FLOAT IFD
    case 5: case 10: case 12: case 16: return 8;  // RATIONAL SRATIONAL DOUBLE LONG8
    default: return 0;
  }
}

int64_t sign_extend(uint64_t v, int bytes) {
  const int shift = 64 - 8 * bytes;
  return static_cast<int64_t>(v << shift) >> shift;
}

// The first value of a field as Pillow compares it with 2..8: integers as is;
// rationals and floats count when they equal an integer (Python's
// 6.0 == 6); BYTE, UNDEFINED and ASCII load as bytes / text and never match.
int64_t first_value(const TiffReader& r, uint64_t at, uint16_t type) {
  switch (type) {
    case 3: return static_cast<int64_t>(r.uint(at, 2));
    case 4: case 13: return static_cast<int64_t>(r.uint(at, 4));
    case 16: return static_cast<int64_t>(r.uint(at, 8) & INT64_MAX);
    case 6: return sign_extend(r.uint(at, 1), 1);
    case 8: return sign_extend(r.uint(at, 2), 2);
    case 9: return sign_extend(r.uint(at, 4), 4);
    case 5: case 10: {
      const bool is_signed = type == 10;
      const int64_t num = is_signed ? sign_extend(r.uint(at, 4), 4) : static_cast<int64_t>(r.uint(at, 4));
      const int64_t den = is_signed ? sign_extend(r.uint(at + 4, 4), 4) : static_cast<int64_t>(r.uint(at + 4, 4));
      return (den != 0 && num % den == 0) ? num / den : 0;
    }
    case 11: case 12: {
      double d;
      if (type == 11) {
        const auto bits = static_cast<uint32_t>(r.uint(at, 4));
        float f;
        std::memcpy(&f, &bits, sizeof f);
        d = f;
      } else {
        const uint64_t bits = r.uint(at, 8);
        std::memcpy(&d, &bits, sizeof d);
      }
      return (std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 1e18) ? static_cast<int64_t>(d) : 0;
    }
    default: return 0;  // BYTE, ASCII, UNDEFINED
  }
}

}  // namespace

std::optional<int64_t> exif_orientation_tag(std::span<const uint8_t> exif) {
  static constexpr uint8_t kExifPrefix[] = {'E', 'x', 'i', 'f', 0, 0};
  if (exif.size() >= sizeof kExifPrefix && std::memcmp(exif.data(), kExifPrefix, sizeof kExifPrefix) == 0) {
    exif = exif.subspan(sizeof kExifPrefix);
  }
  if (exif.size() < 8) return std::nullopt;
  // Pillow accepts the classic TIFF prefixes (and their byte-swapped magic);
  // the byte order comes from the first two bytes. BigTIFF is not EXIF.
  const bool big_endian = exif[0] == 'M' && exif[1] == 'M';
  if (!big_endian && !(exif[0] == 'I' && exif[1] == 'I')) return std::nullopt;
  const bool magic_ok = (exif[2] == 0 && exif[3] == 0x2A) || (exif[2] == 0x2A && exif[3] == 0);
  if (!magic_ok) return std::nullopt;
  const TiffReader r(exif, big_endian);

  const uint64_t ifd = r.uint(4, 4);
  if (!r.has(ifd, 2)) return std::nullopt;
  const uint64_t entries = r.uint(ifd, 2);
  std::optional<int64_t> orientation;
  // Like Pillow: read entries until one does not fit (keeping those before),
  // skip unknown types and empty fields, let a later duplicate win.
  for (uint64_t i = 0; i < entries; ++i) {
    const uint64_t entry = ifd + 2 + 12 * i;
    if (!r.has(entry, 12)) break;
    const auto tag = static_cast<uint16_t>(r.uint(entry, 2));
    const auto type = static_cast<uint16_t>(r.uint(entry + 2, 2));
    const uint64_t count = r.uint(entry + 4, 4);
    const int unit = unit_size(type);
    if (unit == 0 || count == 0) continue;
    const uint64_t size = count * static_cast<uint64_t>(unit);
    uint64_t at = entry + 8;
    if (size > 4) {
      at = r.uint(entry + 8, 4);
      if (!r.has(at, size)) break;
    }
    if (tag == 0x0112) orientation = first_value(r, at, type);
  }
  return orientation;
}

std::optional<int64_t> xmp_orientation_tag(std::string_view xmp) {
  constexpr std::string_view kName = "tiff:Orientation";
  for (size_t at = xmp.find(kName); at != std::string_view::npos; at = xmp.find(kName, at + 1)) {
    const std::string_view rest = xmp.substr(at + kName.size());
    size_t digit = 0;
    if (rest.starts_with("=\"")) digit = 2;
    else if (rest.starts_with(">")) digit = 1;
    else continue;
    if (digit < rest.size() && rest[digit] >= '0' && rest[digit] <= '9') return rest[digit] - '0';
  }
  return std::nullopt;
}

int orientation_or_default(std::optional<int64_t> tag) {
  return (tag && *tag >= 1 && *tag <= 8) ? static_cast<int>(*tag) : 1;
}

}  // namespace smolvlm::detail
