using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace GpuEnet.Tests.ModelFile;

/// <summary>Byte-level edits of a model file for tests: locate sections, patch fields, re-seal the SHA-256 trailer.</summary>
internal static class FileSurgery
{
    public const int HeaderSize = 16;
    public const int SectionHeaderSize = 12;

    public sealed record Section(string Tag, int HeaderOffset, long Length)
    {
        public int PayloadOffset => HeaderOffset + SectionHeaderSize;
    }

    public static List<Section> Sections(byte[] file)
    {
        var list = new List<Section>();
        int pos = HeaderSize;
        while (pos + SectionHeaderSize <= file.Length - 32)
        {
            string tag = Encoding.ASCII.GetString(file, pos, 4).TrimEnd('\0');
            long length = (long)BinaryPrimitives.ReadUInt64LittleEndian(file.AsSpan(pos + 4));
            list.Add(new Section(tag, pos, length));
            if (tag == "END")
            {
                break;
            }

            pos += SectionHeaderSize + (int)length;
        }

        return list;
    }

    public static Section Find(byte[] file, string tag) => Sections(file).First(s => s.Tag == tag);

    /// <summary>Recomputes the trailer so edits get past the checksum and exercise the structural checks.</summary>
    public static byte[] Reseal(byte[] file)
    {
        byte[] copy = (byte[])file.Clone();
        SHA256.HashData(copy.AsSpan(0, copy.Length - 32), copy.AsSpan(copy.Length - 32));
        return copy;
    }

    /// <summary>Inserts a whole section (header + payload) before the section at <paramref name="beforeOffset"/>.</summary>
    public static byte[] Insert(byte[] file, int beforeOffset, string tag, byte[] payload)
    {
        var section = new byte[SectionHeaderSize + payload.Length];
        Encoding.ASCII.GetBytes(tag.PadRight(4, '\0'), section);
        BinaryPrimitives.WriteUInt64LittleEndian(section.AsSpan(4), (ulong)payload.Length);
        payload.CopyTo(section, SectionHeaderSize);
        byte[] result = [.. file.AsSpan(0, beforeOffset), .. section, .. file.AsSpan(beforeOffset)];
        return Reseal(result);
    }

    public static byte[] PatchU32(byte[] file, int offset, uint value)
    {
        byte[] copy = (byte[])file.Clone();
        BinaryPrimitives.WriteUInt32LittleEndian(copy.AsSpan(offset), value);
        return Reseal(copy);
    }

    public static byte[] PatchU64(byte[] file, int offset, ulong value)
    {
        byte[] copy = (byte[])file.Clone();
        BinaryPrimitives.WriteUInt64LittleEndian(copy.AsSpan(offset), value);
        return Reseal(copy);
    }
}
