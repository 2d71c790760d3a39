using GpuEnet.Kernels;

namespace GpuEnet.Host.Data;

/// <summary>
/// What to load: a data file and where its target and weights come from. The reader is chosen by the extension of
/// <see cref="Path"/> (<c>.csv</c>, <c>.csv.gz</c>, <c>.tsv</c>, <c>.tsv.gz</c>, <c>.npy</c>, <c>.parquet</c>, <c>.bed</c>).
/// </summary>
/// <param name="Path">The data file.</param>
public sealed record DataRequest(string Path)
{
    /// <summary>
    /// Name of the target. For CSV and <c>.npy</c> (without <see cref="TargetFile"/>) it names a column of the data,
    /// which is then not a feature; for PLINK it names a column of <see cref="PhenoFile"/>, or, without one, labels the
    /// <c>.fam</c> phenotype. When <see cref="TargetFile"/> is set it only labels that vector. Null together with a
    /// null <see cref="TargetFile"/> means features only (<c>predict</c>): the target is empty and no row is dropped.
    /// </summary>
    public string? Target { get; init; }

    /// <summary>
    /// A file holding the target, one value per data row: a 1-D <c>.npy</c> (float32/64 or int32/64; NaN = missing)
    /// or a text file with one value per line (empty or <c>NA</c> = missing; an optional non-numeric first line is a
    /// header; trailing blank lines are ignored). Takes precedence over <see cref="Target"/> as a column.
    /// </summary>
    public string? TargetFile { get; init; }

    /// <summary>
    /// PLINK phenotype file: whitespace-separated, header <c>FID IID name…</c>, rows keyed by FID and IID; the
    /// <see cref="Target"/> and <see cref="WeightsColumn"/> columns are read from it. <c>-9</c> and <c>NA</c> are missing.
    /// </summary>
    public string? PhenoFile { get; init; }

    /// <summary>
    /// Column holding observation weights (CSV, <c>.npy</c> or <see cref="PhenoFile"/>), or null for equal weights.
    /// Ignored when no target is requested. A missing weight drops the row; a negative or infinite weight is an error.
    /// </summary>
    public string? WeightsColumn { get; init; }

    /// <summary>
    /// Binomial family: a PLINK <c>.fam</c> phenotype is case/control, 1 = control and 2 = case, with <c>0</c> missing as
    /// well as <c>-9</c> (PLINK's convention; a quantitative phenotype keeps 0 as a value).
    /// </summary>
    public bool CaseControl { get; init; }

    /// <summary>
    /// Binomial family: a CSV target column may hold text labels (e.g. <c>case</c>, <c>control</c>), coded by their sorted
    /// order into <see cref="Dataset.TargetLabels"/>; a column of numbers is read as numbers.
    /// </summary>
    public bool TextLabels { get; init; }

    /// <summary>
    /// Storage precision of dense data: <see cref="Precision.Float64"/> (default) or <see cref="Precision.Float32"/>.
    /// Float32 falls back to float64 when the data has missing values (the missing-cell contract is float64 only).
    /// </summary>
    public Precision Precision { get; init; } = Precision.Float64;

    /// <summary>
    /// Columns to skip (CSV and <c>.npy</c>): neither features nor parsed, so they may hold text such as sample IDs.
    /// A name that is not a column, or that is the target or weights column, is an error. PLINK data refuses it.
    /// </summary>
    public IReadOnlyCollection<string>? Ignore { get; init; }

    /// <summary>
    /// When set (predict), the only columns read as features; every other column is skipped unparsed. Names absent
    /// from the file are left to the caller to report.
    /// </summary>
    public IReadOnlyCollection<string>? Keep { get; init; }

    /// <summary>
    /// When neither <see cref="Target"/> nor <see cref="TargetFile"/> is given, use the target that <c>gpuenet convert</c>
    /// stored in a <c>.npy</c>'s sidecar (<c>X.npy.json</c>), if any. <c>fit</c> and <c>cv</c> set it; <c>predict</c>,
    /// which reads features only, does not.
    /// </summary>
    public bool UseStoredTarget { get; init; }

    /// <summary>
    /// Keep every data row, a missing target (or weight) included as NaN in <see cref="Dataset.Y"/>, instead of
    /// dropping it (<c>gpuenet convert</c>, which stores the rows as they are). Delimited text only.
    /// </summary>
    internal bool KeepRowsWithoutTarget { get; init; }

    /// <summary>
    /// The columns will be split over MPI ranks: a memory-mapped file's pages that loading touched (a .bed's missing-call
    /// scan reads them all) are released afterwards, so that each rank keeps only its own columns resident.
    /// </summary>
    internal bool Sharded { get; init; }
}
