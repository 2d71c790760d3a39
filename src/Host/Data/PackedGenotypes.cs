using GpuEnet.Kernels;

namespace GpuEnet.Host.Data;

/// <summary>
/// PLINK 1 genotypes (a SNP-major <c>.bed</c>) kept 2-bit packed in a memory map and decoded one column at a time.
/// Column j holds the dosage of the A1 allele (<c>.bim</c> column 5) of variant j: 0, 1 or 2.
/// </summary>
/// <remarks>
/// Bit order (PLINK 1 .bed specification): a variant is ceil(n/4) bytes; sample i sits in byte i/4 at bits
/// 2·(i mod 4) (low bit) and 2·(i mod 4)+1 (high bit), i.e. the first sample in the LOWEST two bits. Reading those two
/// bits as the number high·2 + low, the codes are 0 = homozygous A1 (dosage 2), 1 = missing, 2 = heterozygous
/// (dosage 1), 3 = homozygous A2 (dosage 0). (The PLINK docs write these as binary 00, 01, 10, 11; the older 1.07 docs
/// write the bits low-first, which is why "10" means missing there.) Missing calls decode as 0 and are listed by
/// <see cref="MissingRows"/>. When rows were dropped, only the kept samples are exposed, in order.
/// <para>
/// Opening the file counts every variant's missing calls and notes the rows that have one (one scan); the lists of their rows are made on first use, a
/// block of <see cref="ListBlock"/> variants at a time, and kept (one int per missing call). A rank under mpirun reads
/// only its own columns' lists, so it holds those, not the whole file's (≈ 200 MB at 5,000 × 500,000 with 2 % missing).
/// </para>
/// </remarks>
public sealed unsafe class PackedGenotypes : IPackedColumnSource, IDisposable
{
    /// <summary>Variants whose missing-call lists are made together.</summary>
    internal const int ListBlock = 1024;

    private readonly MappedFileView _view;
    private readonly int _samples;
    private readonly int _bytesPerVariant;
    private readonly int[]? _kept;
    private readonly int[] _rowOfSample;
    private readonly long[] _missingStart;
    private readonly int[]?[] _lists;
    private readonly bool[] _incomplete;

    /// <param name="view">The mapped <c>.bed</c> (validated: magic and size); owned by this object.</param>
    /// <param name="samples">Samples n in the file.</param>
    /// <param name="variants">Variants p.</param>
    /// <param name="kept">The file's sample indices exposed as rows, increasing; null for all.</param>
    internal PackedGenotypes(MappedFileView view, int samples, int variants, int[]? kept)
    {
        _view = view;
        _samples = samples;
        _bytesPerVariant = (samples + 3) / 4;
        _kept = kept;
        Rows = kept?.Length ?? samples;
        Columns = variants;
        _rowOfSample = GenotypeCodes.ExposedRowOf(kept, samples);
        _missingStart = new long[variants + 1];
        _incomplete = new bool[Rows];
        var rows = new int[Rows];
        for (int j = 0; j < variants; j++)
        {
            int count = GenotypeCodes.MissingRows(Codes(j), samples, _rowOfSample, rows);
            _missingStart[j + 1] = _missingStart[j] + count;
            foreach (int i in rows.AsSpan(0, count))
            {
                _incomplete[i] = true;
            }
        }

        _lists = new int[]?[(variants + ListBlock - 1) / ListBlock];
    }

    /// <summary>
    /// Drops the pages of the <c>.bed</c> this process has read so far from its resident set (they stay in the page cache).
    /// A rank under mpirun calls it after reads that span the whole file (the missing-call count, the model's
    /// fingerprint) and reads only its own columns afterwards, so its share of X, not the whole file, stays resident
    /// (measured at K = 2 on a 5,000 × 500,000 file: 644 → 378 MB of file pages, peak 1,450 → 1,180 MB per rank).
    /// </summary>
    internal void ReleaseResidentPages() => _view.ReleaseResidentPages();

    /// <summary>Byte offset of the first variant (after the 3 magic bytes).</summary>
    internal const int HeaderBytes = 3;

    /// <inheritdoc/>
    public int Rows { get; }

    /// <inheritdoc/>
    public int Columns { get; }

    /// <inheritdoc/>
    public Precision Precision => Precision.Packed2Bit;

    /// <inheritdoc/>
    public long StorageBytes => (long)Columns * _bytesPerVariant;

    /// <inheritdoc/>
    public bool HasMissing => MissingCalls > 0;

    /// <summary>Total missing calls over the exposed rows.</summary>
    public long MissingCalls => _missingStart[Columns];

    /// <summary>Blocks of <see cref="ListBlock"/> variants whose missing-call lists have been made so far.</summary>
    internal int ListedBlocks => _lists.Count(list => list is not null);

    /// <summary>Blocks of <see cref="ListBlock"/> variants (the last may be shorter).</summary>
    internal int Blocks => _lists.Length;

    /// <inheritdoc/>
    public ReadOnlySpan<double> Column(int j, Span<double> scratch)
    {
        var dst = scratch[..Rows];
        GenotypeCodes.DecodeRows(Codes(j), _kept, dst);
        return dst;
    }

    /// <inheritdoc/>
    public int StoredRows => _samples;

    /// <inheritdoc/>
    public ReadOnlySpan<int> StoredRowOf => _kept;

    /// <inheritdoc/>
    public ReadOnlySpan<byte> Codes(int j)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(j);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(j, Columns);
        return new ReadOnlySpan<byte>(_view.Pointer + HeaderBytes + ((long)j * _bytesPerVariant), _bytesPerVariant);
    }

    /// <inheritdoc/>
    public bool[] IncompleteRows() => (bool[])_incomplete.Clone();

    /// <inheritdoc/>
    public int MissingCount(int j) => (int)(_missingStart[j + 1] - _missingStart[j]);

    /// <inheritdoc/>
    public ReadOnlySpan<int> MissingRows(int j)
    {
        int count = MissingCount(j);
        if (count == 0)
        {
            return [];
        }

        int block = j / ListBlock;
        var list = Volatile.Read(ref _lists[block]) ?? ListBlockOf(block);
        return list.AsSpan((int)(_missingStart[j] - _missingStart[block * ListBlock]), count);
    }

    /// <summary>Unmaps the <c>.bed</c>.</summary>
    public void Dispose() => _view.Dispose();

    // The missing-call rows of the block's variants, one after another. Kernels ask from several threads: a list made
    // twice is made the same, and the first one stored is the one every caller gets.
    private int[] ListBlockOf(int block)
    {
        int from = block * ListBlock, to = Math.Min(Columns, from + ListBlock);
        var rows = new int[_missingStart[to] - _missingStart[from]];
        for (int j = from; j < to; j++)
        {
            int at = (int)(_missingStart[j] - _missingStart[from]);
            GenotypeCodes.MissingRows(Codes(j), _samples, _rowOfSample, rows.AsSpan(at, MissingCount(j)));
        }

        return Interlocked.CompareExchange(ref _lists[block], rows, null) ?? rows;
    }
}
