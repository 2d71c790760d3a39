// column_moments: weighted column moments for every column j and problem b, one pass over X.
//
// Computes presentWeight[b*p + j] = Σ_i w_ib, sum[b*p + j] = Σ_i w_ib x_ij and, when centre != null,
// sumSquares[b*p + j] = Σ_i w_ib (x_ij − centre[b*p + j])², all in float64. Dense sources on the GPU have no
// missing cells (the backend refuses sources with missing values), so every row is present.
//
// Launch: as batched_gradient (column_tiles.cuh) with the weights W (n × B) in place of R and every column:
// block = 256 threads, grid = (ceil(p / CT), ceil(B / BT)). Memory traffic: X read once per problem tile of 32,
// W re-read from L2 once per column tile, three p × B outputs written once.
#include "column_tiles.cuh"

template <typename TX>
GE_DEVICE void column_moments(const TX* __restrict__ x, long long n, int columnCount, const double* __restrict__ w,
    int batch, int bt, const double* __restrict__ centre, double* __restrict__ presentWeight, double* __restrict__ sum,
    double* __restrict__ sumSquares)
{
    GE_SHARED double xs[kTileRows * kXsPitch];
    GE_SHARED double ws[kTileRows * kMaxProblemsPerBlock];

    TileShape shape = tile_shape(bt);
    int t = ge_thread_x();
    int local = t % bt;
    int slot = t / bt;
    int k0 = ge_block_x() * shape.columns;
    int b0 = ge_block_y() * bt;
    int b = b0 + local;

    double c[kMaxColumnsPerThread];
    double weight[kMaxColumnsPerThread];
    double first[kMaxColumnsPerThread];
    double second[kMaxColumnsPerThread];
#pragma unroll
    for (int q = 0; q < kMaxColumnsPerThread; ++q)
    {
        int k = k0 + slot + (q * shape.slots);
        bool mine = q < shape.perThread && k < columnCount && b < batch;
        c[q] = mine && centre ? centre[(long long)b * columnCount + k] : 0.0;
        weight[q] = 0.0;
        first[q] = 0.0;
        second[q] = 0.0;
    }

    for (long long i0 = 0; i0 < n; i0 += kTileRows)
    {
        ge_sync();
        stage_tile(xs, ws, x, n, (const int*)0, columnCount, k0, shape.columns, w, batch, b0, bt, i0);
        ge_sync();
        for (int row = 0; row < kTileRows; ++row)
        {
            double wv = ws[row * kMaxProblemsPerBlock + local];
#pragma unroll
            for (int q = 0; q < kMaxColumnsPerThread; ++q)
            {
                if (q < shape.perThread)
                {
                    double xv = xs[row * kXsPitch + slot + (q * shape.slots)];
                    double d = xv - c[q];
                    weight[q] += wv;
                    first[q] += wv * xv;
                    second[q] += wv * d * d;
                }
            }
        }
    }

#pragma unroll
    for (int q = 0; q < kMaxColumnsPerThread; ++q)
    {
        int k = k0 + slot + (q * shape.slots);
        if (q < shape.perThread && k < columnCount && b < batch)
        {
            long long at = (long long)b * columnCount + k;
            presentWeight[at] = weight[q];
            sum[at] = first[q];
            if (sumSquares)
            {
                sumSquares[at] = second[q];
            }
        }
    }
}

GE_KERNEL void column_moments_f64(const double* x, long long n, int columnCount, const double* w, int batch, int bt,
    const double* centre, double* presentWeight, double* sum, double* sumSquares)
{
    column_moments(x, n, columnCount, w, batch, bt, centre, presentWeight, sum, sumSquares);
}

GE_KERNEL void column_moments_f32(const float* x, long long n, int columnCount, const double* w, int batch, int bt,
    const double* centre, double* presentWeight, double* sum, double* sumSquares)
{
    column_moments(x, n, columnCount, w, batch, bt, centre, presentWeight, sum, sumSquares);
}
