using System.Numerics;
using System.Runtime.Intrinsics;
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
/// <see cref="MissingRows"/>, found in one scan of the file at construction and stored compactly (one int per
/// missing call plus one offset per variant). When rows were dropped, only the kept samples are exposed, in order.
/// </remarks>
public sealed unsafe class PackedGenotypes : IPackedColumnSource, IDisposable
{
    private readonly MappedFileView _view;
    private readonly int _samples;
    private readonly int _bytesPerVariant;
    private readonly int[]? _kept;
    private readonly long[] _missingStart;
    private readonly int[] _missingRows;

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
        (_missingStart, _missingRows) = ScanMissing();
    }

    /// <summary>
    /// Drops the pages of the <c>.bed</c> that the missing-call scan made resident. A rank under mpirun reads only its own
    /// columns afterwards, so this keeps its share of X, not the whole file, resident (measured at K = 2 on a
    /// 5,000 × 500,000 file: 644 → 378 MB of file pages, peak 1,450 → 1,180 MB per rank).
    /// </summary>
    internal void ReleaseScannedPages() => _view.ReleaseResidentPages();

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
    public bool HasMissing => _missingRows.Length > 0;

    /// <summary>Total missing calls over the exposed rows.</summary>
    public long MissingCount => _missingRows.Length;

    /// <inheritdoc/>
    public ReadOnlySpan<double> Column(int j, Span<double> scratch)
    {
        var codes = Codes(j);
        var dst = scratch[..Rows];
        if (_kept is null)
        {
            GenotypeCodes.Decode(codes, 0, dst);
        }
        else
        {
            int[] kept = _kept;
            for (int i = 0; i < kept.Length; i++)
            {
                dst[i] = GenotypeCodes.DosageAt(codes, kept[i]);
            }
        }

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
    public ReadOnlySpan<int> MissingRows(int j)
    {
        long start = _missingStart[j];
        return _missingRows.AsSpan((int)start, (int)(_missingStart[j + 1] - start));
    }

    /// <summary>Unmaps the <c>.bed</c>.</summary>
    public void Dispose() => _view.Dispose();

    /// <summary>
    /// Finds every missing call (code 01: low bit set, high bit clear) eight bytes at a time:
    /// <c>x &amp; ~(x &gt;&gt; 1) &amp; 0x55…</c> keeps the low bit of exactly the pairs that read 01.
    /// </summary>
    private (long[] Start, int[] Rows) ScanMissing()
    {
        int[]? toKept = null;
        if (_kept is not null)
        {
            toKept = new int[_samples];
            Array.Fill(toKept, -1);
            for (int i = 0; i < _kept.Length; i++)
            {
                toKept[_kept[i]] = i;
            }
        }

        // Two scans, counting and then filling an exact-size array: a growing list would peak at about twice the
        // final size (about 0.5 GB for 50 million missing calls).
        var start = new long[Columns + 1];
        long count = Scan(toKept, start, null);
        var rows = new int[count];
        Scan(toKept, start, rows);
        return (start, rows);
    }

    private long Scan(int[]? toKept, long[] start, int[]? rows)
    {
        const ulong LowBits = 0x5555_5555_5555_5555UL;
        long count = 0;
        byte* basePtr = _view.Pointer + HeaderBytes;
        for (int j = 0; j < Columns; j++)
        {
            start[j] = count;
            byte* block = basePtr + ((long)j * _bytesPerVariant);
            for (int b = 0; b < _bytesPerVariant; b += 8)
            {
                int len = Math.Min(8, _bytesPerVariant - b);
                ulong x;
                if (len == 8)
                {
                    x = System.Runtime.CompilerServices.Unsafe.ReadUnaligned<ulong>(block + b);
                    if (!BitConverter.IsLittleEndian)
                    {
                        x = System.Buffers.Binary.BinaryPrimitives.ReverseEndianness(x);
                    }
                }
                else
                {
                    x = 0;
                    for (int k = 0; k < len; k++)
                    {
                        x |= (ulong)block[b + k] << (8 * k);
                    }
                }

                ulong m = x & ~(x >> 1) & LowBits;
                while (m != 0)
                {
                    int sample = (b * 4) + (BitOperations.TrailingZeroCount(m) >> 1);
                    m &= m - 1;
                    if (sample >= _samples)
                    {
                        break; // padding bits of the last byte
                    }

                    int row = toKept is null ? sample : toKept[sample];
                    if (row >= 0)
                    {
                        if (rows is not null)
                        {
                            rows[count] = row;
                        }

                        count++;
                    }
                }
            }
        }

        start[Columns] = count;
        return count;
    }
}
