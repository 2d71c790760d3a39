namespace GpuEnet.Kernels;

/// <summary>
/// A compute backend (the SIMD CPU backend or the ILGPU backend). It binds a design matrix once — on a GPU that is the one upload of X —
/// and then serves every problem of a batch from that one copy.
/// </summary>
public interface IKernelBackend : IDisposable
{
    /// <summary>What the JSON output calls the device: <c>cpu</c> or <c>cuda:0 (NVIDIA H100 …)</c> or <c>ilgpu-cpu</c>.</summary>
    string Device { get; }

    /// <summary>Makes <paramref name="x"/> available to the kernels (uploads it to a GPU).</summary>
    IBoundDesign Bind(IColumnSource x);
}

/// <summary>
/// The kernel contract: the operations the solver needs over a batch of B problems that share one design
/// matrix X (n × p). Every matrix argument is column-major host memory; problem b's column is
/// <c>[b*n, (b+1)*n)</c> of an n × B matrix and <c>[b*p, (b+1)*p)</c> of a p × B matrix.
/// Per-problem centring, scaling and imputation are applied algebraically (<see cref="ColumnTransform"/>):
/// X is never copied or modified.
/// </summary>
public interface IBoundDesign : IDisposable
{
    /// <summary>Rows n.</summary>
    int Rows { get; }

    /// <summary>Columns p.</summary>
    int Columns { get; }

    /// <summary>The source this design was bound from.</summary>
    IColumnSource Source { get; }

    /// <summary>Counted host↔device bytes, kernel launches and bytes of X read since the design was bound.</summary>
    DeviceTraffic Traffic { get; }

    /// <summary>
    /// Weighted column moments over the rows where x_ij is present, for every column j and problem b:
    /// <c>presentWeight[j,b] = Σ w_ib</c>, <c>sum[j,b] = Σ w_ib x_ij</c>, and, when <paramref name="centre"/> is not
    /// empty, <c>sumSquares[j,b] = Σ w_ib (x_ij − centre[j,b])²</c>. All outputs are p × B. One pass over X for all B problems.
    /// </summary>
    void ColumnMoments(ReadOnlySpan<double> weights, int batch, ReadOnlySpan<double> centre,
        Span<double> presentWeight, Span<double> sum, Span<double> sumSquares);

    /// <summary>
    /// Host work column by column on a p × B array (entry (j, b) at <c>entries[b·p + j]</c>): <paramref name="update"/>
    /// gets each column j with a copy of its B entries, may change them, and they are stored back. For sums over a column's
    /// missing rows, median fills and the like, which read the source's columns on the host. A sharded design updates
    /// only its own columns and gathers every column's entries from its owner, so no rank reads columns it does not hold;
    /// each entry is computed by the same code either way.
    /// </summary>
    void UpdateColumns(int batch, Span<double> entries, ColumnUpdate update) =>
        ColumnUpdates.Apply(entries, Columns, batch, 0, Columns, update);

    /// <summary>
    /// <c>G[k,b] = Σ_i x̃_ij,b r_ib</c> for <c>j = columns[k]</c> (every column when <paramref name="columns"/> is empty,
    /// then k = j), with x̃ from <paramref name="transform"/> (null: x̃ = x). <paramref name="residuals"/> is n × B and is
    /// normally already multiplied by the observation weights; G is |columns| × B.
    /// This is the memory-bound pass: X is read once for all B problems.
    /// </summary>
    /// <remarks>
    /// With a <paramref name="bound"/>, an entry with <c>|G[k,q]| ≤ bound.Threshold[q]·bound.Penalty[j]</c> may come back as
    /// a non-negative upper bound of <c>|G[k,q]|</c> that does not exceed that limit, instead of G itself: a backend that
    /// must bring G across a bus sends only the others (compacted on the device) and writes these as their limit. Every
    /// other entry is exact. A caller that reads those entries only through |G| against limits above the threshold loses
    /// nothing.
    /// </remarks>
    void BatchedGradient(ReadOnlySpan<int> columns, ReadOnlySpan<double> residuals, int batch,
        ColumnTransform? transform, Span<double> gradient, GradientBound? bound = null);

    /// <summary>
    /// True when a KKT pass over every column costs less than what the host would need to skip columns: on a GPU, reading
    /// X from device memory is cheap, while the per-feature gradient bounds that let the host skip columns would have to
    /// cross the bus (O(p·B) per pass). The solver then makes full passes with a <see cref="GradientBound"/>, and only
    /// the entries above their limits leave the device.
    /// </summary>
    bool PrefersFullPasses { get; }

    /// <summary>Coordinate-descent sweeps over each problem's active set until converged (see <see cref="DescentBatch"/>).</summary>
    void ActiveSetDescent(DescentBatch work);

    /// <summary>
    /// Weighted squared distances from query rows to every row of X over the columns present in both rows (KNN
    /// imputation's n × n Gram-like pass): <c>distance[q·n + d] = Σ_j columnWeights[j]·(x_{queries[q],j} − x_dj)²</c> and
    /// <c>shared[q·n + d]</c> = the number of those columns, summed over the columns present in both row queries[q] and
    /// row d. One pass over X per call; both outputs are |queries| × n.
    /// </summary>
    void RowDistances(ReadOnlySpan<int> queries, ReadOnlySpan<double> columnWeights, Span<double> distance, Span<double> shared);
}

/// <summary>
/// Which gradient entries <see cref="IBoundDesign.BatchedGradient"/> may return as an upper bound of their magnitude:
/// those with <c>|G[k,q]| ≤ Threshold[q]·Penalty[j]</c> (j the feature of entry k).
/// </summary>
/// <param name="Penalty">One non-negative factor per feature (p); kept by identity, so a backend may cache it.</param>
/// <param name="Threshold">One non-negative threshold per residual column.</param>
public sealed record GradientBound(double[] Penalty, double[] Threshold)
{
    /// <summary>The limit of residual column <paramref name="q"/>'s entry for feature <paramref name="j"/>: Threshold[q]·Penalty[j].</summary>
    public double Limit(int q, int j) => Threshold[q] * Penalty[j];

    /// <summary>Writes every entry of the |columns| × <paramref name="batch"/> gradient as its limit Threshold[q]·Penalty[j].</summary>
    public static void FillLimits(GradientBound bound, ReadOnlySpan<int> columns, int batch, int count, Span<double> gradient)
    {
        for (int q = 0; q < batch; q++)
        {
            var column = gradient.Slice(q * count, count);
            for (int k = 0; k < count; k++)
            {
                column[k] = bound.Limit(q, columns.IsEmpty ? k : columns[k]);
            }
        }
    }
}

/// <summary>Changes column <paramref name="column"/>'s B entries of a p × B array (see <see cref="IBoundDesign.UpdateColumns"/>).</summary>
public delegate void ColumnUpdate(int column, Span<double> entries);

/// <summary>The loop behind <see cref="IBoundDesign.UpdateColumns"/>, over a range of columns.</summary>
internal static class ColumnUpdates
{
    /// <summary>
    /// Gives each column j in [<paramref name="from"/>, <paramref name="to"/>) a copy of its B entries of the
    /// <paramref name="columns"/> × B array <paramref name="entries"/> and stores them back after <paramref name="update"/>.
    /// </summary>
    public static void Apply(Span<double> entries, int columns, int batch, int from, int to, ColumnUpdate update)
    {
        ArgumentNullException.ThrowIfNull(update);
        var column = new double[batch];
        for (int j = from; j < to; j++)
        {
            for (int b = 0; b < batch; b++)
            {
                column[b] = entries[(b * columns) + j];
            }

            update(j, column);
            for (int b = 0; b < batch; b++)
            {
                entries[(b * columns) + j] = column[b];
            }
        }
    }
}
