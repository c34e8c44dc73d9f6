#include "dlctl/backend/cpu/cpu_backend.h"

#include <cblas.h>
#include <fmt/format.h>
#include <omp.h>

#include <Eigen/Core>
#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <exception>
#include <functional>
#include <new>
#include <thread>

#include "dlctl/backend/cpu/cpu_activations.h"
#include "dlctl/backend/cpu/cpu_parallel.h"
#include "dlctl/backend/cpu/cpu_sparse_products.h"
#include "dlctl/core/error.h"
#include "dlctl/core/random.h"

namespace dlctl {

namespace {

using Array = Eigen::Map<Eigen::ArrayXf>;
using ConstArray = Eigen::Map<const Eigen::ArrayXf>;

Array arr(Tensor t) { return {t.data, t.size()}; }
ConstArray carr(const Tensor& t) { return {t.data, t.size()}; }

constexpr std::size_t kAlignment = 64;

/// Products of at most this many multiply-adds run on one thread: a second one saves nothing on
/// them, and a parallel region waits on a thread a loaded machine may not run (docs/benchmarks.md).
constexpr std::int64_t kSerialGemmMaxMultiplies = std::int64_t{1} << 20;
/// Products this small never split by weight columns: a few rows at inference (a one-row predict
/// would otherwise start the thread pool for microseconds of work).
constexpr std::int64_t kSplitMinMultiplies = std::int64_t{1} << 16;

/// The largest C (floats) of a forward product W·X that is split by W's columns between threads:
/// each thread but the first sums into a partial C of its own.
constexpr std::int64_t kMaxPartialProductFloats = std::int64_t{1} << 18;

/// Elementwise passes go over a few columns at a time, about 16 KB of each operand, so that
/// fused steps find the block in L1.
std::int64_t block_columns(std::int64_t rows) {
    return std::max<std::int64_t>(1, 4096 / std::max<std::int64_t>(rows, 1));
}

/// The beta to pass to cblas_sgemm for `beta`: for beta = 0, C is cleared with `clear` first and
/// OpenBLAS adds to it (beta = 1), because its own clearing pass is many times slower than memset.
template <typename Clear>
float beta_after_clearing(float beta, const Clear& clear) {
    if (beta != 0.0f) return beta;
    clear();
    return 1.0f;
}

/// While alive, products called inside our own parallel regions run on their calling thread:
/// OpenBLAS's OpenMP build does so by itself; its pthreads build would otherwise give each of
/// them all threads.
class SingleThreadedBlas {
  public:
    explicit SingleThreadedBlas(int threads)
        : threads_(threads), pthreads_blas_(openblas_get_parallel() == 1) {
        if (pthreads_blas_) openblas_set_num_threads(1);
    }
    ~SingleThreadedBlas() {
        if (pthreads_blas_) openblas_set_num_threads(threads_);
    }
    SingleThreadedBlas(const SingleThreadedBlas&) = delete;
    SingleThreadedBlas& operator=(const SingleThreadedBlas&) = delete;

  private:
    int threads_;
    bool pthreads_blas_;
};

/// Whether a layer input x is zero enough for its products to skip the zeros
/// (cpu_sparse_products.h).
bool mostly_zero(const Tensor& x) {
    return cpu::worth_skipping_zeros(x.data, x.rows, x.rows, x.cols);
}

Tensor column_range(Tensor t, std::int64_t first, std::int64_t last) {
    return {t.data + first * t.rows, t.rows, last - first};
}

// The loops of the elementwise passes take plain pointers and scalars, not captured tensors, so
// that they vectorise (a store could otherwise change a pointer or scalar read by reference).

void add_to(float* __restrict dst, const float* __restrict src, std::int64_t n) {
    for (std::int64_t i = 0; i < n; ++i) dst[i] += src[i];
}

void multiply_into(const float* a, const float* b, float* out, std::int64_t n) {
    for (std::int64_t i = 0; i < n; ++i) out[i] = a[i] * b[i];
}

static_assert(std::endian::native == std::endian::little,
              "dropout reads the 16-bit halves of Philox words in memory order, low half first");

/// Element i's 16-bit dropout draw in a chunk of them (for_each_dropout_chunk).
std::uint32_t draw(const unsigned char* draws, std::int64_t i) {
    std::uint16_t half;
    std::memcpy(&half, draws + 2 * i, sizeof half);
    return half;
}

/// keep[i] = keep_scale when draw i is >= threshold, else 0; out = in ⊙ keep.
void dropout_factors(const unsigned char* __restrict draws,
                     std::uint32_t threshold,
                     float keep_scale,
                     const float* in,
                     float* __restrict keep,
                     float* out,
                     std::int64_t n) {
    for (std::int64_t i = 0; i < n; ++i) {
        const float m = draw(draws, i) >= threshold ? keep_scale : 0.0f;
        keep[i] = m;
        out[i] = in[i] * m;
    }
}

/// z += bias (per row, optional), then a = act(z): one block of columns of
/// bias_activation_forward, small enough that the activation reads z from L1.
void bias_activation_block(Activation act, const Tensor& bias, Tensor z, Tensor a) {
    if (bias.data != nullptr) {
        for (std::int64_t c = 0; c < z.cols; ++c) add_to(z.data + c * z.rows, bias.data, z.rows);
    }
    cpu::activation_forward(act, z, a);
}

/// dropout_factors without keeping the factors; out may alias in.
void apply_dropout(const unsigned char* __restrict draws,
                   std::uint32_t threshold,
                   float keep_scale,
                   const float* in,
                   float* out,
                   std::int64_t n) {
    for (std::int64_t i = 0; i < n; ++i)
        out[i] = in[i] * (draw(draws, i) >= threshold ? keep_scale : 0.0f);
}

/// Dropout draws of a tensor's elements, a chunk at a time (they stay in L1).
constexpr std::int64_t kDropoutChunk = 4096;

/// Calls apply(draws, first, count) for consecutive chunks [first, first + count) of the n
/// elements that start at counter element `element` (offset + index in the tensor), draw(draws,
/// j) being element first + j's: counter_half of element e, half e % 2 of word (e / 2) % 4 of
/// block e / 8.
template <typename Apply>
void for_each_dropout_chunk(std::uint64_t seed,
                            std::uint64_t substream,
                            std::uint64_t element,
                            std::int64_t n,
                            const Apply& apply) {
    // Up to 7 draws before the chunk's first element share its block; the last block may run
    // past the chunk.
    std::array<std::uint32_t, kDropoutChunk / 2 + 8> words;
    for (std::int64_t first = 0; first < n; first += kDropoutChunk) {
        const std::int64_t count = std::min(kDropoutChunk, n - first);
        const std::uint64_t e = element + static_cast<std::uint64_t>(first);
        const auto skip = static_cast<std::int64_t>(e % 8);
        counter_blocks(seed, RngStream::kDropout, substream, e / 8,
                       static_cast<std::size_t>((skip + count + 7) / 8), words.data());
        apply(reinterpret_cast<const unsigned char*>(words.data()) + 2 * skip, first, count);
    }
}

}  // namespace

CpuBackend::CpuBackend(int threads) {
    threads_ =
        threads > 0 ? threads : std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
    openblas_set_num_threads(threads_);  // builds without OpenMP keep their own thread pool
    if (threads_ > 1) {
        for (int lane = 0; lane < threads_; ++lane) {
            lanes_.push_back(std::unique_ptr<CpuBackend>(new CpuBackend(LaneTag{})));
        }
        lane_errors_.resize(lanes_.size());
    }
}

CpuBackend::CpuBackend(LaneTag) {}

void CpuBackend::run_lanes(int count, const std::function<void(int, CpuBackend&)>& body) {
    DLCTL_CHECK(count >= 1 && count <= threads_);
    if (count == 1) {
        body(0, *this);
        return;
    }
    const SingleThreadedBlas single_threaded_blas(threads_);
#pragma omp parallel num_threads(count)
    {
        // Lanes are dealt round the threads, should OpenMP give fewer than asked for.
        for (int lane = omp_get_thread_num(); lane < count; lane += omp_get_num_threads()) {
            try {
                body(lane, *lanes_[static_cast<std::size_t>(lane)]);
            } catch (...) {
                lane_errors_[static_cast<std::size_t>(lane)] = std::current_exception();
            }
        }
    }
    std::exception_ptr first_error;  // the first lane's; all are cleared for the next call
    for (std::exception_ptr& error : lane_errors_) {
        if (error && !first_error) first_error = error;
        error = nullptr;
    }
    if (first_error) std::rethrow_exception(first_error);
}

Buffer CpuBackend::allocate(std::int64_t count) {
    DLCTL_CHECK(count >= 0);
    constexpr auto kMaxCount = static_cast<std::int64_t>((SIZE_MAX - kAlignment) / sizeof(float));
    float* data = nullptr;
    std::size_t bytes = 0;
    if (count <= kMaxCount) {
        bytes = (static_cast<std::size_t>(std::max<std::int64_t>(count, 1)) * sizeof(float) +
                 kAlignment - 1) /
                kAlignment * kAlignment;
        data =
            static_cast<float*>(::operator new (bytes, std::align_val_t{kAlignment}, std::nothrow));
    }
    if (data == nullptr) {
        throw DeviceError(fmt::format("cannot allocate {} floats ({:.1f} GiB) in CPU memory", count,
                                      static_cast<double>(count) * 4.0 / (1 << 30)),
                          "reduce train.batch_size or the layer sizes");
    }
    std::memset(data, 0, bytes);
    return Buffer(data, count,
                  [](float* p) { ::operator delete (p, std::align_val_t{kAlignment}); });
}

void CpuBackend::upload(const float* host, Tensor dst) {
    if (dst.size() > 0) std::memcpy(dst.data, host, dst.size() * sizeof(float));
}

void CpuBackend::download(const Tensor& src, float* host) {
    if (src.size() > 0) std::memcpy(host, src.data, src.size() * sizeof(float));
}

void CpuBackend::fill(Tensor t, float value) { arr(t).setConstant(value); }

void CpuBackend::gemm(bool transpose_a,
                      bool transpose_b,
                      float alpha,
                      const Tensor& a,
                      const Tensor& b,
                      float beta,
                      Tensor c) {
    const std::int64_t inner = transpose_a ? a.rows : a.cols;
    DLCTL_CHECK((transpose_a ? a.cols : a.rows) == c.rows);
    DLCTL_CHECK((transpose_b ? b.rows : b.cols) == c.cols);
    DLCTL_CHECK(inner == (transpose_b ? b.cols : b.rows));
    DLCTL_CHECK(std::max({a.rows, a.cols, b.rows, b.cols}) <= INT32_MAX);
    if (c.size() == 0) return;
    // W·X and dZ·Xᵀ read only X's nonzeros when it is mostly zeros (after relu and dropout).
    const auto skips_zeros = [&] { return !transpose_a && mostly_zero(b); };
    if (splits_by_weight_columns(transpose_a, transpose_b, a, c, inner)) {
        gemm_by_weight_columns(transpose_a, transpose_b, alpha, a, b, beta, c, inner,
                               skips_zeros());
        return;
    }
    const int threads = c.rows * c.cols * inner <= kSerialGemmMaxMultiplies ? 1 : threads_;
    if (threads == 1 && skips_zeros()) {
        if (transpose_b) {
            cpu::product_with_sparse_right_transposed(c.rows, inner, c.cols, alpha, a.data, a.rows,
                                                      b.data, b.rows, beta, c.data, c.rows);
        } else {
            cpu::product_with_sparse_right(c.rows, c.cols, inner, alpha, a.data, a.rows, b.data,
                                           b.rows, beta, c.data, c.rows);
        }
        return;
    }
    beta = beta_after_clearing(beta, [&c, this] {
        cpu::for_each_part(c.size(), 1024, cpu::threads_for(c.size(), threads_),
                           [&](std::int64_t first, std::int64_t last, int) {
                               std::memset(c.data + first, 0, (last - first) * sizeof(float));
                           });
    });
    // OpenBLAS's OpenMP build takes its thread count from the calling thread's OpenMP setting
    // (which another backend or thread may have changed) at every call.
    if (omp_get_max_threads() != threads) omp_set_num_threads(threads);
    // Column-major, leading dimension = rows; an empty operand (inner = 0) still gets beta · C.
    cblas_sgemm(CblasColMajor, transpose_a ? CblasTrans : CblasNoTrans,
                transpose_b ? CblasTrans : CblasNoTrans, static_cast<int>(c.rows),
                static_cast<int>(c.cols), static_cast<int>(inner), alpha, a.data,
                static_cast<int>(std::max<std::int64_t>(a.rows, 1)), b.data,
                static_cast<int>(std::max<std::int64_t>(b.rows, 1)), beta, c.data,
                static_cast<int>(c.rows));
}

void CpuBackend::input_gradient_where_nonzero(const Tensor& w,
                                              const Tensor& dz,
                                              const Tensor& x,
                                              Tensor dx) {
    DLCTL_CHECK(x.rows == dx.rows && x.cols == dx.cols);
    DLCTL_CHECK(w.cols == dx.rows && w.rows == dz.rows && dz.cols == dx.cols);
    const bool split = splits_by_weight_columns(true, false, w, dx, w.rows);
    const bool one_thread = threads_ == 1 || w.rows * dx.size() <= kSerialGemmMaxMultiplies;
    if (dx.size() == 0 || !(split || one_thread) || !mostly_zero(x)) {
        gemm(true, false, 1.0f, w, dz, 0.0f, dx);
        return;
    }
    // Split as gemm_by_weight_columns splits Wᵀ·dZ: dx's rows are W's columns.
    cpu::for_each_part(dx.rows, cpu::kOwnerColumnGranule, split ? threads_ : 1,
                       [&](std::int64_t first, std::int64_t last, int) {
                           cpu::transposed_product_where_nonzero(
                               w.rows, dx.cols, last - first, 1.0f, w.data + first * w.rows, w.rows,
                               dz.data, dz.rows, x.data + first, x.rows, dx.data + first, dx.rows);
                       });
}

// A small batch's products move little data but read whole weight matrices, and its optimizer
// update reads the weights, their gradients and the optimizer state: megabytes a step that stay
// in a core's caches only if the same thread touches the same part every time. So at small
// batches each thread owns a block of every large weight matrix's columns (contiguous in memory,
// as a block of rows would not be), in the products and in the update alike (docs/benchmarks.md).
//
// A dense layer's products are W·X (forward), dZ·Xᵀ (the weight gradient) and Wᵀ·dZ (the input
// gradient); W's columns are, in turn, their inner dimension, C's columns and C's rows.
bool CpuBackend::splits_by_weight_columns(bool transpose_a,
                                          bool transpose_b,
                                          const Tensor& a,
                                          const Tensor& c,
                                          std::int64_t inner) const {
    if (threads_ <= 1 || (transpose_a && transpose_b)) return false;
    if (c.rows * c.cols * inner < kSplitMinMultiplies) return false;
    const bool weight_gradient = !transpose_a && transpose_b;
    // Batches from a lane's width up run in lanes, and their products keep OpenBLAS's own split.
    const std::int64_t batch = weight_gradient ? inner : c.cols;
    if (batch >= threads_ * cpu::kPassColumnGranule) return false;
    const Tensor& weight = weight_gradient ? c : a;
    if (!cpu::splits_weight_columns(weight.rows, weight.cols)) return false;
    const bool forward = !transpose_a && !transpose_b;
    return !forward || c.size() <= kMaxPartialProductFloats;
}

/// Thread t works on the weight columns that cpu::part_range gives it: in W·X it sums over
/// them into a partial C (the first thread into C itself; the others' partials are added to it
/// afterwards); in dZ·Xᵀ and Wᵀ·dZ it computes those columns or rows of C.
void CpuBackend::gemm_by_weight_columns(bool transpose_a,
                                        bool transpose_b,
                                        float alpha,
                                        const Tensor& a,
                                        const Tensor& b,
                                        float beta,
                                        Tensor c,
                                        std::int64_t inner,
                                        bool skip_zeros) {
    const int lda = static_cast<int>(std::max<std::int64_t>(a.rows, 1));
    const int ldb = static_cast<int>(std::max<std::int64_t>(b.rows, 1));
    const int ldc = static_cast<int>(c.rows);
    const SingleThreadedBlas single_threaded_blas(threads_);
    if (!transpose_a && transpose_b) {  // dZ·Xᵀ: C's columns are W's
        cpu::for_each_part(c.cols, cpu::kOwnerColumnGranule, threads_,
                           [&](std::int64_t first, std::int64_t last, int) {
                               if (skip_zeros) {
                                   cpu::product_with_sparse_right_transposed(
                                       c.rows, inner, last - first, alpha, a.data, lda,
                                       b.data + first, ldb, beta, c.data + first * c.rows, ldc);
                                   return;
                               }
                               const float part_beta = beta_after_clearing(beta, [&] {
                                   std::memset(c.data + first * c.rows, 0,
                                               (last - first) * c.rows * sizeof(float));
                               });
                               cblas_sgemm(CblasColMajor, CblasNoTrans, CblasTrans, ldc,
                                           static_cast<int>(last - first), static_cast<int>(inner),
                                           alpha, a.data, lda, b.data + first, ldb, part_beta,
                                           c.data + first * c.rows, ldc);
                           });
    } else if (transpose_a) {  // Wᵀ·dZ: C's rows are W's columns
        cpu::for_each_part(c.rows, cpu::kOwnerColumnGranule, threads_,
                           [&](std::int64_t first, std::int64_t last, int) {
                               const float part_beta = beta_after_clearing(beta, [&] {
                                   for (std::int64_t j = 0; j < c.cols; ++j) {
                                       std::memset(c.data + j * c.rows + first, 0,
                                                   (last - first) * sizeof(float));
                                   }
                               });
                               cblas_sgemm(CblasColMajor, CblasTrans, CblasNoTrans,
                                           static_cast<int>(last - first), static_cast<int>(c.cols),
                                           static_cast<int>(inner), alpha, a.data + first * a.rows,
                                           lda, b.data, ldb, part_beta, c.data + first, ldc);
                           });
    } else {  // W·X: a sum over W's columns
        const auto partial_floats = static_cast<std::size_t>((threads_ - 1) * c.size());
        if (partial_products_.size() < partial_floats) {
            partial_products_.resize(partial_floats);  // in the first step only
        }
        const int parts = cpu::for_each_part(
            a.cols, cpu::kOwnerColumnGranule, threads_,
            [&](std::int64_t first, std::int64_t last, int part) {
                float* out = part == 0 ? c.data : partial_products_.data() + (part - 1) * c.size();
                if (skip_zeros) {
                    cpu::product_with_sparse_right(c.rows, c.cols, last - first, alpha,
                                                   a.data + first * a.rows, lda, b.data + first,
                                                   ldb, part == 0 ? beta : 0.0f, out, ldc);
                    return;
                }
                const float part_beta = beta_after_clearing(part == 0 ? beta : 0.0f, [&] {
                    std::memset(out, 0, c.size() * sizeof(float));
                });
                cblas_sgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, ldc,
                            static_cast<int>(c.cols), static_cast<int>(last - first), alpha,
                            a.data + first * a.rows, lda, b.data + first, ldb, part_beta, out, ldc);
            });
        cpu::for_each_part(c.size(), 1024, parts, [&](std::int64_t first, std::int64_t last, int) {
            for (int part = 1; part < parts; ++part) {
                add_to(c.data + first, partial_products_.data() + (part - 1) * c.size() + first,
                       last - first);
            }
        });
    }
}

void CpuBackend::bias_activation_forward(Activation act, const Tensor& bias, Tensor z, Tensor a) {
    DLCTL_CHECK(z.rows == a.rows && z.cols == a.cols);
    DLCTL_CHECK(bias.data == nullptr || bias.size() == z.rows);
    DLCTL_CHECK(act.kind != ActivationKind::kSoftmax || a.data != z.data);
    const std::int64_t rows = z.rows;
    const std::int64_t block = block_columns(rows);
    // Block by block, so that the activation reads what the bias loop has just written from L1.
    cpu::for_each_part(z.cols, block, cpu::threads_for(z.size(), threads_),
                       [&](std::int64_t first, std::int64_t last, int) {
                           for (std::int64_t c0 = first; c0 < last; c0 += block) {
                               const std::int64_t c1 = std::min(last, c0 + block);
                               bias_activation_block(act, bias, column_range(z, c0, c1),
                                                     column_range(a, c0, c1));
                           }
                       });
}

template <typename BlockGradient>
void CpuBackend::backward_and_sum(const BlockGradient& block_gradient,
                                  const Tensor& dz,
                                  Tensor sums,
                                  bool accumulate) {
    const std::int64_t rows = dz.rows;
    const std::int64_t block = block_columns(rows);
    const int threads = cpu::threads_for(dz.size(), threads_);
    // Part p sums into partial p - first_partial, or into `sums` itself for part 0 when it is
    // not accumulating; the partials are added to `sums` in part order.
    const int first_partial = accumulate ? 0 : 1;
    const auto partial_floats = static_cast<std::size_t>((threads - first_partial) * rows);
    if (sums.data != nullptr && partial_sums_.size() < partial_floats) {
        partial_sums_.resize(partial_floats);  // in the first step only
    }
    const int parts = cpu::for_each_part(
        dz.cols, block, threads, [&](std::int64_t first, std::int64_t last, int part) {
            float* total = sums.data == nullptr ? nullptr
                           : part < first_partial
                               ? sums.data
                               : partial_sums_.data() + (part - first_partial) * rows;
            if (total != nullptr) std::fill(total, total + rows, 0.0f);
            for (std::int64_t c0 = first; c0 < last; c0 += block) {
                const std::int64_t c1 = std::min(last, c0 + block);
                block_gradient(c0, c1);
                if (total == nullptr) continue;
                for (std::int64_t c = c0; c < c1; ++c) add_to(total, dz.data + c * rows, rows);
            }
        });
    if (sums.data == nullptr) return;
    for (int part = first_partial; part < parts; ++part) {
        const float* partial = partial_sums_.data() + (part - first_partial) * rows;
        add_to(sums.data, partial, rows);
    }
}

void CpuBackend::activation_backward(
    Activation act, const Tensor& z, const Tensor& a, const Tensor& da, Tensor dz) {
    activation_bias_backward(act, z, a, da, dz, Tensor{}, false);
}

void CpuBackend::activation_bias_backward(Activation act,
                                          const Tensor& z,
                                          const Tensor& a,
                                          const Tensor& da,
                                          Tensor dz,
                                          Tensor bias_grad,
                                          bool accumulate) {
    // Whole shapes, not sizes: the blocks slice each tensor by its rows, and a check failing
    // inside a parallel part could not be thrown to the caller.
    for (const Tensor* t : {&z, &a, &da}) DLCTL_CHECK(t->rows == dz.rows && t->cols == dz.cols);
    DLCTL_CHECK(bias_grad.data == nullptr || bias_grad.size() == dz.rows);
    backward_and_sum(
        [&](std::int64_t c0, std::int64_t c1) {
            cpu::activation_backward(act, column_range(z, c0, c1), column_range(a, c0, c1),
                                     column_range(da, c0, c1), column_range(dz, c0, c1));
        },
        dz, bias_grad, accumulate);
}

void CpuBackend::relu_dropout_bias_backward(
    float rate, const Tensor& y, Tensor dy, Tensor dz, Tensor bias_grad, bool accumulate) {
    DLCTL_CHECK(y.rows == dz.rows && y.cols == dz.cols && dy.rows == dz.rows && dy.cols == dz.cols);
    DLCTL_CHECK(bias_grad.data == nullptr || bias_grad.size() == dz.rows);
    const float keep_scale = dropout_keep_scale(rate);
    const std::int64_t rows = dz.rows;
    backward_and_sum(
        [&](std::int64_t c0, std::int64_t c1) {
            cpu::pass_where_positive(y.data + c0 * rows, dy.data + c0 * rows, keep_scale,
                                     dz.data + c0 * rows, (c1 - c0) * rows);
        },
        dz, bias_grad, accumulate);
}

void CpuBackend::sum_columns(const Tensor& x, Tensor out) {
    DLCTL_CHECK(out.size() == x.rows);
    backward_and_sum([](std::int64_t, std::int64_t) {}, x, out, false);
}

void CpuBackend::dropout_forward(float rate,
                                 std::uint64_t seed,
                                 std::uint64_t substream,
                                 std::uint64_t offset,
                                 const Tensor& x,
                                 Tensor mask,
                                 Tensor y) {
    DLCTL_CHECK((mask.data == nullptr || x.size() == mask.size()) && x.size() == y.size());
    DLCTL_CHECK(offset % 8 == 0);  // a tensor's first element starts a Philox block
    const float keep_scale = dropout_keep_scale(rate);
    const std::uint32_t threshold = dropout_threshold(rate);
    // The parts start on chunk bounds, so their counters start on Philox blocks.
    cpu::for_each_part(
        x.size(), kDropoutChunk, cpu::threads_for(x.size(), threads_),
        [&](std::int64_t begin, std::int64_t end, int) {
            for_each_dropout_chunk(
                seed, substream, offset + begin, end - begin,
                [&](const unsigned char* draws, std::int64_t first, std::int64_t count) {
                    const std::int64_t i = begin + first;
                    if (mask.data == nullptr) {
                        apply_dropout(draws, threshold, keep_scale, x.data + i, y.data + i, count);
                    } else {
                        dropout_factors(draws, threshold, keep_scale, x.data + i, mask.data + i,
                                        y.data + i, count);
                    }
                });
        });
}

void CpuBackend::bias_relu_dropout_forward(float rate,
                                           std::uint64_t seed,
                                           std::uint64_t substream,
                                           std::uint64_t offset,
                                           const Tensor& bias,
                                           Tensor y) {
    DLCTL_CHECK(bias.data == nullptr || bias.size() == y.rows);
    DLCTL_CHECK(offset % 8 == 0);
    const float keep_scale = dropout_keep_scale(rate);
    const std::uint32_t threshold = dropout_threshold(rate);
    const std::int64_t rows = y.rows;
    const std::int64_t block = block_columns(rows);
    // Bias, relu and the mask of a block of columns while the block is in L1.
    cpu::for_each_part(
        y.cols, block, cpu::threads_for(y.size(), threads_),
        [&](std::int64_t first, std::int64_t last, int) {
            for (std::int64_t c0 = first; c0 < last; c0 += block) {
                const Tensor yb = column_range(y, c0, std::min(last, c0 + block));
                bias_activation_block(Activation{ActivationKind::kRelu}, bias, yb, yb);
                for_each_dropout_chunk(
                    seed, substream, offset + static_cast<std::uint64_t>(c0 * rows), yb.size(),
                    [&](const unsigned char* draws, std::int64_t i, std::int64_t count) {
                        apply_dropout(draws, threshold, keep_scale, yb.data + i, yb.data + i,
                                      count);
                    });
            }
        });
}

void CpuBackend::multiply(const Tensor& a, const Tensor& b, Tensor out) {
    DLCTL_CHECK(a.size() == b.size() && a.size() == out.size());
    cpu::for_each_part(a.size(), 1024, cpu::threads_for(a.size(), threads_),
                       [&](std::int64_t first, std::int64_t last, int) {
                           multiply_into(a.data + first, b.data + first, out.data + first,
                                         last - first);
                       });
}

void CpuBackend::activation(Activation act, const Tensor& x, Tensor out) {
    DLCTL_CHECK(x.size() == out.size());
    cpu::activation_forward(act, x, out);
}

void CpuBackend::parametric_activation_forward(
    Activation act, const Tensor& x, const Tensor& mix, Tensor a, Tensor out) {
    check_parametric_activation(act, x, a, mix, out);
    cpu::for_each_part(x.rows, 16, cpu::threads_for(x.size(), threads_),
                       [&](std::int64_t first, std::int64_t last, int) {
                           cpu::parametric_activation_forward(act, x, mix, a, out, first, last);
                       });
}

void CpuBackend::parametric_activation_backward(Activation act,
                                                const Tensor& x,
                                                const Tensor& a,
                                                const Tensor& mix,
                                                const Tensor& dy,
                                                Tensor dx,
                                                Tensor mix_grad) {
    check_parametric_activation(act, x, a, mix, dy);
    DLCTL_CHECK(mix_grad.size() == x.rows);
    // By rows: each row's sum over the columns stays on one thread, in one order.
    cpu::for_each_part(x.rows, 16, cpu::threads_for(x.size(), threads_),
                       [&](std::int64_t first, std::int64_t last, int) {
                           cpu::parametric_activation_backward(act, x, a, mix, dy, dx, mix_grad,
                                                               first, last);
                       });
}

IndexBuffer CpuBackend::allocate_indices(std::int64_t count) {
    DLCTL_CHECK(count >= 0);
    auto* data = new (std::nothrow)
        std::uint32_t[static_cast<std::size_t>(std::max<std::int64_t>(count, 1))]();
    if (data == nullptr) {
        throw DeviceError(fmt::format("cannot allocate {} indices in CPU memory", count));
    }
    return IndexBuffer(data, count, [](std::uint32_t* p) { delete[] p; });
}

void CpuBackend::upload_indices(const std::uint32_t* host, std::int64_t count, std::uint32_t* dst) {
    if (count > 0) std::memcpy(dst, host, static_cast<std::size_t>(count) * sizeof(std::uint32_t));
}

void CpuBackend::gather_columns(const Tensor& src, const std::uint32_t* indices, Tensor dst) {
    DLCTL_CHECK(src.rows == dst.rows);
    const std::size_t column_bytes = static_cast<std::size_t>(src.rows) * sizeof(float);
    for (std::int64_t c = 0; c < dst.cols; ++c) DLCTL_CHECK(indices[c] < src.cols);
    cpu::for_each_part(dst.cols, 1, cpu::threads_for(dst.size(), threads_),
                       [&](std::int64_t first, std::int64_t last, int) {
                           for (std::int64_t c = first; c < last; ++c) {
                               std::memcpy(dst.data + c * dst.rows,
                                           src.data + indices[c] * src.rows, column_bytes);
                           }
                       });
}

void CpuBackend::copy(const Tensor& src, Tensor dst) {
    DLCTL_CHECK(src.size() == dst.size());
    if (src.size() > 0 && src.data != dst.data) {
        std::memcpy(dst.data, src.data, src.size() * sizeof(float));
    }
}

void CpuBackend::add(const Tensor& x, Tensor y) {
    DLCTL_CHECK(x.size() == y.size());
    cpu::for_each_part(x.size(), 1024, cpu::threads_for(x.size(), threads_),
                       [&](std::int64_t first, std::int64_t last, int) {
                           add_to(y.data + first, x.data + first, last - first);
                       });
}

void CpuBackend::add_penalty_gradient(const Tensor& w, Tensor g, float l1, float l2) {
    DLCTL_CHECK(w.size() == g.size());
    if (l1 != 0.0f) arr(g) += l1 * carr(w).sign();
    if (l2 != 0.0f) arr(g) += (2.0f * l2) * carr(w);
}

double CpuBackend::squared_norm(const Tensor& x) { return carr(x).cast<double>().square().sum(); }

void CpuBackend::scale(Tensor x, float factor) { arr(x) *= factor; }

void CpuBackend::clamp(Tensor x, float lo, float hi) { arr(x) = carr(x).max(lo).min(hi); }

}  // namespace dlctl
