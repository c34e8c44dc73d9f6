#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace dlctl::plot {

struct Point {
    double x = 0.0;
    double y = 0.0;
};

struct TextStyle {
    double size = 12.0;
    std::string_view anchor = "start";  ///< start, middle or end
    bool bold = false;
    double rotate = 0.0;  ///< degrees, about the anchor point
    std::string_view color = "#222222";
};

/// A self-contained SVG document (no external fonts, stylesheets or scripts), built element by
/// element in drawing order; coordinates in pixels from the top-left corner.
class SvgDocument {
  public:
    SvgDocument(double width, double height);

    void rect(double x,
              double y,
              double width,
              double height,
              std::string_view fill,
              std::string_view stroke = "none",
              double opacity = 1.0);
    void line(
        Point from, Point to, std::string_view stroke, double width = 1.0, bool dashed = false);
    /// Nothing is drawn for fewer than two points.
    void polyline(const std::vector<Point>& points,
                  std::string_view stroke,
                  double width = 1.5,
                  bool dashed = false);
    void circle(Point center, double radius, std::string_view fill);
    void text(Point at, std::string_view content, const TextStyle& style = {});

    /// The document, with an XML declaration and the given accessible title.
    std::string str(std::string_view title) const;

  private:
    double width_;
    double height_;
    std::string body_;
};

/// `text` with the five XML special characters escaped and control characters removed.
std::string xml_escape(std::string_view text);

/// `text` cut to at most `max_chars` UTF-8 characters, the last one an ellipsis when cut.
std::string shorten(std::string_view text, std::size_t max_chars);

}  // namespace dlctl::plot
