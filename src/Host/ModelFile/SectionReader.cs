using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;

namespace GpuEnet.Host.ModelFile;

/// <summary>
/// Reads little-endian primitives from one section's payload. Every read, and every count, is checked against the
/// bytes left in the section before anything is allocated, so a damaged length can never allocate more than the
/// section holds; any violation is a <see cref="ModelFormatException"/> naming the section.
/// </summary>
internal ref struct SectionReader
{
    private static readonly UTF8Encoding s_strictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly ReadOnlySpan<byte> _data;
    private readonly string _section;
    private int _position;

    public SectionReader(ReadOnlySpan<byte> data, string section)
    {
        _data = data;
        _section = section;
        _position = 0;
    }

    public readonly int Remaining => _data.Length - _position;

    public byte U8() => Take(1)[0];

    public bool Bool()
    {
        byte b = U8();
        return b switch
        {
            0 => false,
            1 => true,
            _ => throw Damaged($"a flag has the value {b}"),
        };
    }

    public short I16() => BinaryPrimitives.ReadInt16LittleEndian(Take(2));

    public uint U32() => BinaryPrimitives.ReadUInt32LittleEndian(Take(4));

    public int I32() => BinaryPrimitives.ReadInt32LittleEndian(Take(4));

    public long I64() => BinaryPrimitives.ReadInt64LittleEndian(Take(8));

    public double F64() => BinaryPrimitives.ReadDoubleLittleEndian(Take(8));

    /// <summary>A u32 index that must be below <paramref name="bound"/>.</summary>
    public int Index(int bound, string what)
    {
        uint value = U32();
        if (value >= (uint)bound)
        {
            throw Damaged($"{what} {value} is out of range (0 to {bound - 1})");
        }

        return (int)value;
    }

    /// <summary>
    /// A u32 count of items each at least <paramref name="minBytesPerItem"/> bytes long; refused when the items could
    /// not fit in what is left of the section.
    /// </summary>
    public int Count(int minBytesPerItem, string what)
    {
        uint count = U32();
        if (count > int.MaxValue || (ulong)count * (ulong)minBytesPerItem > (ulong)Remaining)
        {
            throw Damaged($"it claims {count} {what}, more than its remaining {Remaining} bytes can hold");
        }

        return (int)count;
    }

    public double[] F64s(int count)
    {
        ReadOnlySpan<byte> bytes = Take(checked(count * sizeof(double)));
        var values = new double[count];
        if (BitConverter.IsLittleEndian)
        {
            bytes.CopyTo(MemoryMarshal.AsBytes(values.AsSpan()));
        }
        else
        {
            for (int i = 0; i < count; i++)
            {
                values[i] = BinaryPrimitives.ReadDoubleLittleEndian(bytes[(i * sizeof(double))..]);
            }
        }

        return values;
    }

    /// <summary>
    /// <paramref name="count"/> indices that must increase strictly and stay below <paramref name="limit"/> (sparse
    /// positions); one that does not is damage, reported as "<paramref name="noun"/> j <paramref name="context"/>".
    /// </summary>
    public int[] IncreasingIndices(int count, int limit, string noun, string context)
    {
        int[] indices = I32s(count);
        int previous = -1;
        foreach (int j in indices)
        {
            if (j <= previous || j >= limit)
            {
                throw Damaged($"{noun} {j} {context} is out of range or out of order");
            }

            previous = j;
        }

        return indices;
    }

    public int[] I32s(int count)
    {
        ReadOnlySpan<byte> bytes = Take(checked(count * sizeof(int)));
        var values = new int[count];
        if (BitConverter.IsLittleEndian)
        {
            bytes.CopyTo(MemoryMarshal.AsBytes(values.AsSpan()));
        }
        else
        {
            for (int i = 0; i < count; i++)
            {
                values[i] = BinaryPrimitives.ReadInt32LittleEndian(bytes[(i * sizeof(int))..]);
            }
        }

        return values;
    }

    /// <summary>A string: unsigned LEB128 byte length (at most 5 bytes, at most <see cref="int.MaxValue"/>), then UTF-8.</summary>
    public string Str()
    {
        uint length = 0;
        int shift = 0;
        while (true)
        {
            byte b = U8();
            if (shift == 28 && b > 0x07)
            {
                throw Damaged("a string length is too large");
            }

            length |= (uint)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                break;
            }

            shift += 7;
        }

        if (length > (uint)Remaining)
        {
            throw Damaged($"a string of {length} bytes runs past the end of the section");
        }

        ReadOnlySpan<byte> bytes = Take((int)length);
        try
        {
            return s_strictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException e)
        {
            throw new ModelFormatException($"The model file is damaged: section {_section} holds text that is not valid UTF-8.", e);
        }
    }

    /// <summary>
    /// Checks the section was consumed. Later minor versions may append fields to a section, so trailing bytes are
    /// accepted only when the file's minor version is newer than this reader's.
    /// </summary>
    public readonly void End(bool allowTrailing)
    {
        if (Remaining != 0 && !allowTrailing)
        {
            throw Damaged($"{Remaining} unexpected bytes follow its contents");
        }
    }

    public readonly ModelFormatException Damaged(string problem) =>
        new($"The model file is damaged: section {_section}: {problem}.");

    private ReadOnlySpan<byte> Take(int count)
    {
        if (count > Remaining)
        {
            throw Damaged("it ends before its contents do");
        }

        ReadOnlySpan<byte> bytes = _data.Slice(_position, count);
        _position += count;
        return bytes;
    }
}
