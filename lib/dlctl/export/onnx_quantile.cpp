
#include <initializer_list>

#include "dlctl/export/onnx_preprocessing.h"

namespace dlctl {

namespace {

/// Σ coefficients[i] · x^(n-1-i) by Horner's rule, in double.
std::string polynomial(OnnxGraph& g, const std::string& x, std::initializer_list<double> c) {
    auto it = c.begin();
    std::string y = g.scalar("coefficient", *it++, true);
    for (; it != c.end(); ++it) {
        y = g.node("Add", {g.node("Mul", {y, x}), g.scalar("coefficient", *it, true)});
    }
    return y;
}

/// Φ⁻¹(p) for p in [1e-7, 1 - 1e-7], by Acklam's rational approximation (relative error 1.15e-9).
std::string inverse_normal(OnnxGraph& g, const std::string& p) {
    constexpr double kLow = 0.02425;
    const std::string q = g.node("Sub", {p, g.scalar("half", 0.5, true)});
    const std::string r = g.node("Mul", {q, q});
    const std::string central = g.node(
        "Div", {g.node("Mul", {polynomial(g, r,
                                          {-3.969683028665376e+01, 2.209460984245205e+02,
                                           -2.759285104469687e+02, 1.383577518672690e+02,
                                           -3.066479806614716e+01, 2.506628277459239e+00}),
                               q}),
                polynomial(g, r,
                           {-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
                            6.680131188771972e+01, -1.328068155288572e+01, 1.0})});
    const std::string one_minus_p = g.node("Sub", {g.scalar("one", 1.0, true), p});
    const std::string smaller = g.node("Min", {p, one_minus_p});
    const std::string t = g.node(
        "Sqrt", {g.node("Mul", {g.scalar("minus_two", -2.0, true), g.node("Log", {smaller})})});
    const std::string tail = g.node(
        "Div", {polynomial(g, t,
                           {-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
                            -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00}),
                polynomial(g, t,
                           {7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00,
                            3.754408661907416e+00, 1.0})});
    const std::string upper = g.node("Greater", {p, g.scalar("upper", 1.0 - kLow, true)});
    const std::string signed_tail = g.node("Where", {upper, g.node("Neg", {tail}), tail});
    const std::string in_tail =
        g.node("Or", {g.node("Less", {p, g.scalar("lower", kLow, true)}), upper});
    return g.node("Where", {in_tail, signed_tail, central});
}

/// Lookup tables over j, the number of distinct knots below x (0..M): x's rank is MID[j] when x
/// equals the j-th distinct knot, else A[j] + (x - B[j]) · C[j].
struct RankTables {
    std::vector<double> distinct, a, b, c, mid;
};

RankTables rank_tables(const std::vector<double>& knots) {
    const double last = static_cast<double>(knots.size() - 1);
    RankTables t;
    std::vector<std::size_t> first, final;  // each distinct knot's first and last index
    for (std::size_t i = 0; i < knots.size(); ++i) {
        if (i == 0 || knots[i] != knots[i - 1]) {
            t.distinct.push_back(knots[i]);
            first.push_back(i);
            final.push_back(i);
        } else {
            final.back() = i;
        }
    }
    const std::size_t m = t.distinct.size();
    t.a.assign(m + 1, 0.0);
    t.b.assign(m + 1, 0.0);
    t.c.assign(m + 1, 0.0);
    t.mid.assign(m + 1, 0.0);
    t.a[m] = 1.0;  // above every knot
    for (std::size_t j = 0; j < m; ++j) {
        t.mid[j] = static_cast<double>(first[j] + final[j]) / 2.0 / last;
        if (j == 0) continue;
        t.a[j] = static_cast<double>(final[j - 1]) / last;
        t.b[j] = t.distinct[j - 1];
        t.c[j] = 1.0 / last / (t.distinct[j] - t.distinct[j - 1]);
    }
    return t;
}

/// x's rank among `knots` in [0, 1], as rank_of (at least two knots).
std::string rank(OnnxGraph& g, const std::string& x, const std::vector<double>& knots) {
    const RankTables t = rank_tables(knots);
    const auto m = static_cast<std::int64_t>(t.distinct.size());
    const std::string distinct = g.doubles("knots", {1, m}, t.distinct);
    auto count = [&](const std::string& test) {
        return g.node(
            "ReduceSum",
            {g.node("Cast", {test}, {cast_to(OnnxType::kInt64)}), g.int64s("axis", {1}, {1})},
            {int_attribute("keepdims", 1)});
    };
    const std::string below = count(g.node("Less", {distinct, x}));
    const std::string equal =
        g.node("Cast", {count(g.node("Equal", {distinct, x}))}, {cast_to(OnnxType::kBool)});
    auto lookup = [&](const char* hint, const std::vector<double>& table) {
        return g.node("Gather", {g.doubles(hint, {m + 1}, table), below});
    };
    const std::string between = g.node(
        "Add", {lookup("rank_a", t.a),
                g.node("Mul", {g.node("Sub", {x, lookup("rank_b", t.b)}), lookup("rank_c", t.c)})});
    return g.node("Where", {equal, lookup("rank_mid", t.mid), between});
}

}  // namespace

std::string onnx_quantile_normal(OnnxGraph& g,
                                 const std::string& x,
                                 const std::vector<double>& knots) {
    if (knots.size() < 2) return g.node("Mul", {x, g.scalar("zero", 0.0, true)});  // Φ⁻¹(0.5)
    constexpr double kBound = 1e-7;
    const std::string p =
        g.node("Min", {g.node("Max", {rank(g, x, knots), g.scalar("bound", kBound, true)}),
                       g.scalar("bound", 1.0 - kBound, true)});
    return inverse_normal(g, p);
}

}  // namespace dlctl
