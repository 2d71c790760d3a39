namespace GpuEnet.Kernels;

/// <summary>
/// Per-problem standardisation applied algebraically by the kernels: for column j of problem b,
/// x̃_ij = (x_ij − Centre[j,b]) · InverseScale[j,b], and a missing x_ij counts as Fill[j,b] (plus its own value in
/// <see cref="Cells"/> when per-cell imputation is in use).
/// All arrays are p × B column-major (problem b at <c>[b*p, (b+1)*p)</c>).
/// </summary>
public sealed class ColumnTransform
{
    /// <summary>Allocates the transform for <paramref name="columns"/> features and <paramref name="batch"/> problems.</summary>
    public ColumnTransform(int columns, int batch)
    {
        Columns = columns;
        Batch = batch;
        Centre = new double[(long)columns * batch];
        InverseScale = new double[(long)columns * batch];
        Fill = new double[(long)columns * batch];
    }

    /// <summary>Features p.</summary>
    public int Columns { get; }

    /// <summary>Problems B.</summary>
    public int Batch { get; }

    /// <summary>c_jb.</summary>
    public double[] Centre { get; }

    /// <summary>1/s_jb; 0 for a constant column (its x̃ is then 0 and it never enters the model).</summary>
    public double[] InverseScale { get; }

    /// <summary>Value a missing x_ij takes in problem b (only read where the source has missing values).</summary>
    public double[] Fill { get; }

    /// <summary>Per-cell fills added to <see cref="Fill"/> on missing cells (KNN, regression, multiple imputation); null: none.</summary>
    public CellFills? Cells { get; set; }

    /// <summary>
    /// For <see cref="IBoundDesign.BatchedGradient"/>: residual column q uses transform problem <c>ProblemOf[q]</c>
    /// (several residuals of one problem, e.g. at several λ, share its centring). Null: residual column q uses problem q.
    /// </summary>
    public int[]? ProblemOf { get; private init; }

    /// <summary>A view sharing these arrays in which residual column q uses problem <paramref name="problemOf"/>[q].</summary>
    public ColumnTransform WithProblemMap(int[] problemOf) => new(this, problemOf);

    private ColumnTransform(ColumnTransform shared, int[] problemOf)
    {
        Columns = shared.Columns;
        Batch = shared.Batch;
        Centre = shared.Centre;
        InverseScale = shared.InverseScale;
        Fill = shared.Fill;
        Cells = shared.Cells;
        ProblemOf = problemOf;
    }

    /// <summary>Transform problem of residual column <paramref name="q"/>.</summary>
    public int Problem(int q) => ProblemOf is null ? q : ProblemOf[q];
}
