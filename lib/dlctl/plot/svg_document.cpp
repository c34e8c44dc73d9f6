#include "dlctl/plot/svg_document.h"

#include <fmt/format.h>

namespace dlctl::plot {

namespace {

/// Coordinates with two decimals: exact enough for any screen, and short.
std::string num(double v) { return fmt::format("{:.2f}", v); }

}  // namespace

std::string xml_escape(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (const char c : text) {
        switch (c) {
            case '&':
                out += "&amp;";
                break;
            case '<':
                out += "&lt;";
                break;
            case '>':
                out += "&gt;";
                break;
            case '"':
                out += "&quot;";
                break;
            case '\'':
                out += "&apos;";
                break;
            default:
                // XML 1.0 forbids most control characters, even escaped.
                if (static_cast<unsigned char>(c) >= 0x20 || c == '\t') out.push_back(c);
        }
    }
    return out;
}

std::string shorten(std::string_view text, std::size_t max_chars) {
    std::size_t chars = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if ((static_cast<unsigned char>(text[i]) & 0xC0) == 0x80) continue;  // continuation byte
        if (++chars == max_chars) {
            std::size_t end = i + 1;
            while (end < text.size() && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80)
                ++end;
            if (end == text.size()) break;
            std::string out(text.substr(0, i));
            out += "\u2026";
            return out;
        }
    }
    return std::string(text);
}

SvgDocument::SvgDocument(double width, double height) : width_(width), height_(height) {}

void SvgDocument::rect(double x,
                       double y,
                       double width,
                       double height,
                       std::string_view fill,
                       std::string_view stroke,
                       double opacity) {
    body_ += fmt::format(R"(<rect x="{}" y="{}" width="{}" height="{}" fill="{}" stroke="{}")",
                         num(x), num(y), num(width), num(height), fill, stroke);
    if (opacity < 1.0) body_ += fmt::format(R"( fill-opacity="{}")", num(opacity));
    body_ += "/>\n";
}

void SvgDocument::line(Point from, Point to, std::string_view stroke, double width, bool dashed) {
    body_ += fmt::format(R"(<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-width="{}")",
                         num(from.x), num(from.y), num(to.x), num(to.y), stroke, num(width));
    if (dashed) body_ += R"( stroke-dasharray="5 4")";
    body_ += "/>\n";
}

void SvgDocument::polyline(const std::vector<Point>& points,
                           std::string_view stroke,
                           double width,
                           bool dashed) {
    if (points.size() < 2) return;
    body_ += R"(<polyline fill="none" stroke-linejoin="round" points=")";
    for (std::size_t i = 0; i < points.size(); ++i) {
        if (i > 0) body_.push_back(' ');
        body_ += num(points[i].x);
        body_.push_back(',');
        body_ += num(points[i].y);
    }
    body_ += fmt::format(R"(" stroke="{}" stroke-width="{}")", stroke, num(width));
    if (dashed) body_ += R"( stroke-dasharray="6 4")";
    body_ += "/>\n";
}

void SvgDocument::circle(Point center, double radius, std::string_view fill) {
    body_ += fmt::format(R"(<circle cx="{}" cy="{}" r="{}" fill="{}"/>)", num(center.x),
                         num(center.y), num(radius), fill);
    body_.push_back('\n');
}

void SvgDocument::text(Point at, std::string_view content, const TextStyle& style) {
    body_ += fmt::format(R"(<text x="{}" y="{}" font-size="{}" text-anchor="{}" fill="{}")",
                         num(at.x), num(at.y), num(style.size), style.anchor, style.color);
    if (style.bold) body_ += R"( font-weight="bold")";
    if (style.rotate != 0.0) {
        body_ += fmt::format(R"svg( transform="rotate({} {} {})")svg", num(style.rotate), num(at.x),
                             num(at.y));
    }
    body_.push_back('>');
    body_ += xml_escape(content);
    body_ += "</text>\n";
}

std::string SvgDocument::str(std::string_view title) const {
    std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
    out += fmt::format(
        R"(<svg xmlns="http://www.w3.org/2000/svg" width="{0}" height="{1}" viewBox="0 0 {0} {1}" )"
        R"(font-family="DejaVu Sans, Helvetica, Arial, sans-serif" role="img">)",
        num(width_), num(height_));
    out.push_back('\n');
    out += fmt::format("<title>{}</title>\n", xml_escape(title));
    out +=
        fmt::format(R"(<rect width="{}" height="{}" fill="#ffffff"/>)", num(width_), num(height_));
    out.push_back('\n');
    out += body_;
    out += "</svg>\n";
    return out;
}

}  // namespace dlctl::plot
