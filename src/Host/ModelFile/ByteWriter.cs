using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;

namespace GpuEnet.Host.ModelFile;

/// <summary>Little-endian primitives appended to a growable buffer, the building blocks of a section payload.</summary>
internal static class ByteWriter
{
    public static void U8(this ArrayBufferWriter<byte> w, byte value)
    {
        w.GetSpan(1)[0] = value;
        w.Advance(1);
    }

    public static void I16(this ArrayBufferWriter<byte> w, short value)
    {
        BinaryPrimitives.WriteInt16LittleEndian(w.GetSpan(2), value);
        w.Advance(2);
    }

    public static void U32(this ArrayBufferWriter<byte> w, uint value)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(w.GetSpan(4), value);
        w.Advance(4);
    }

    /// <summary>A count or index: a non-negative int stored as u32.</summary>
    public static void Count(this ArrayBufferWriter<byte> w, int value)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(value);
        w.U32((uint)value);
    }

    public static void I32(this ArrayBufferWriter<byte> w, int value)
    {
        BinaryPrimitives.WriteInt32LittleEndian(w.GetSpan(4), value);
        w.Advance(4);
    }

    public static void I64(this ArrayBufferWriter<byte> w, long value)
    {
        BinaryPrimitives.WriteInt64LittleEndian(w.GetSpan(8), value);
        w.Advance(8);
    }

    public static void F64(this ArrayBufferWriter<byte> w, double value)
    {
        BinaryPrimitives.WriteDoubleLittleEndian(w.GetSpan(8), value);
        w.Advance(8);
    }

    public static void Bool(this ArrayBufferWriter<byte> w, bool value) => w.U8(value ? (byte)1 : (byte)0);

    /// <summary>Doubles as consecutive IEEE 754 little-endian values, bit for bit (NaN payloads kept).</summary>
    public static void F64s(this ArrayBufferWriter<byte> w, ReadOnlySpan<double> values)
    {
        Span<byte> dest = w.GetSpan(values.Length * sizeof(double));
        if (BitConverter.IsLittleEndian)
        {
            MemoryMarshal.AsBytes(values).CopyTo(dest);
        }
        else
        {
            for (int i = 0; i < values.Length; i++)
            {
                BinaryPrimitives.WriteDoubleLittleEndian(dest[(i * sizeof(double))..], values[i]);
            }
        }

        w.Advance(values.Length * sizeof(double));
    }

    /// <summary>Ints as consecutive little-endian 32-bit values.</summary>
    public static void I32s(this ArrayBufferWriter<byte> w, ReadOnlySpan<int> values)
    {
        Span<byte> dest = w.GetSpan(values.Length * sizeof(int));
        if (BitConverter.IsLittleEndian)
        {
            MemoryMarshal.AsBytes(values).CopyTo(dest);
        }
        else
        {
            for (int i = 0; i < values.Length; i++)
            {
                BinaryPrimitives.WriteInt32LittleEndian(dest[(i * sizeof(int))..], values[i]);
            }
        }

        w.Advance(values.Length * sizeof(int));
    }

    /// <summary>A string: its UTF-8 byte length as an unsigned LEB128 varint, then the bytes.</summary>
    public static void Str(this ArrayBufferWriter<byte> w, string value)
    {
        int length = Encoding.UTF8.GetByteCount(value);
        uint rest = (uint)length;
        while (rest >= 0x80)
        {
            w.U8((byte)(rest | 0x80));
            rest >>= 7;
        }

        w.U8((byte)rest);
        int written = Encoding.UTF8.GetBytes(value, w.GetSpan(length));
        w.Advance(written);
    }
}
