using System.Buffers.Binary;
using System.Text;
using GpuEnet.Solver.Model;

namespace GpuEnet.Host.ModelFile;

/// <summary>
/// Constants of the GpuEnet model file format, version 1.2 (see <c>docs/model-format.md</c>): header, section tags and
/// the limits a reader enforces.
/// </summary>
internal static class ModelFormat
{
    /// <summary>The 8 magic bytes every model file starts with.</summary>
    public static ReadOnlySpan<byte> Magic => "GPUENET\0"u8;

    /// <summary>Major version written; a reader refuses files with a larger major version.</summary>
    public const ushort Major = 1;

    /// <summary>Minor version written; larger minors only add sections or trailing fields and stay readable.</summary>
    public const ushort Minor = 2;

    /// <summary>Header: magic (8), major (2), minor (2), reserved flags (4).</summary>
    public const int HeaderSize = 16;

    /// <summary>Section header: tag (4 ASCII bytes), payload length (8).</summary>
    public const int SectionHeaderSize = 12;

    /// <summary>Trailer: SHA-256 of every byte before it.</summary>
    public const int TrailerSize = 32;

    /// <summary>The writer starts a new coefficient section once the current one passes this many bytes.</summary>
    public const int CoefficientChunkBytes = 32 << 20;

    public static readonly uint TagModel = Tag("MODL");
    public static readonly uint TagFeatures = Tag("FEAT");
    public static readonly uint TagPreprocessing = Tag("PREP");
    public static readonly uint TagScale = Tag("SCAL");
    public static readonly uint TagStability = Tag("STAB");
    public static readonly uint TagPath = Tag("PATH");
    public static readonly uint TagCoefficients = Tag("COEF");
    public static readonly uint TagTraining = Tag("TRAI");
    public static readonly uint TagFamily = Tag("FAML");
    public static readonly uint TagImputer = Tag("IMPU");

    /// <summary>The <c>FAML</c> code of a path without a CV curve.</summary>
    public const byte NoMeasure = 255;
    public static readonly uint TagEnd = Tag("END\0");

    /// <summary>The bits of <see cref="double.NaN"/>: the default (absent) fill value.</summary>
    public static readonly long NaNBits = BitConverter.DoubleToInt64Bits(double.NaN);

    /// <summary>
    /// Marks the features that have a stored coefficient (an entry in <see cref="SparseCoefficients.Index"/>) at some λ
    /// of some path: the features whose scale the SCAL section stores. Indices must already be known to be in range.
    /// </summary>
    public static bool[] FeaturesWithCoefficients(int p, EnetPath[] paths)
    {
        var used = new bool[p];
        foreach (EnetPath path in paths)
        {
            foreach (SparseCoefficients beta in path.Beta)
            {
                foreach (int j in beta.Index)
                {
                    used[j] = true;
                }
            }
        }

        return used;
    }

    /// <summary>The little-endian u32 of a 4-character ASCII tag.</summary>
    public static uint Tag(string fourChars)
    {
        Span<byte> bytes = stackalloc byte[4];
        if (Encoding.ASCII.GetBytes(fourChars, bytes) != 4)
        {
            throw new ArgumentException("A section tag has exactly 4 ASCII characters.", nameof(fourChars));
        }

        return BinaryPrimitives.ReadUInt32LittleEndian(bytes);
    }

    /// <summary>The printable form of a tag for messages (non-printable bytes as <c>?</c>).</summary>
    public static string TagName(uint tag)
    {
        Span<char> chars = stackalloc char[4];
        for (int i = 0; i < 4; i++)
        {
            char c = (char)((tag >> (8 * i)) & 0xFF);
            chars[i] = c is >= ' ' and <= '~' ? c : c == '\0' ? ' ' : '?';
        }

        return new string(chars).TrimEnd();
    }
}
