using Google.Protobuf;

namespace GpuEnet.Host.Export;

/// <summary>
/// One protobuf message being built field by field: the wire encoding (tags, varints, length prefixes, UTF-8) is
/// Google.Protobuf's <see cref="CodedOutputStream"/>; this type only chooses field numbers. Nested messages are
/// serialised first and written as length-delimited bytes, which is how protobuf encodes them.
/// </summary>
internal sealed class ProtoWriter
{
    private readonly MemoryStream _buffer = new();
    private readonly CodedOutputStream _out;

    public ProtoWriter() => _out = new CodedOutputStream(_buffer, leaveOpen: true);

    /// <summary>A varint field (int32, int64 and enum fields share this encoding for non-negative values).</summary>
    public ProtoWriter Int64(int field, long value)
    {
        _out.WriteTag(field, WireFormat.WireType.Varint);
        _out.WriteInt64(value);
        return this;
    }

    /// <summary>A string field.</summary>
    public ProtoWriter String(int field, string value)
    {
        _out.WriteTag(field, WireFormat.WireType.LengthDelimited);
        _out.WriteString(value);
        return this;
    }

    /// <summary>A bytes field.</summary>
    public ProtoWriter Bytes(int field, ReadOnlySpan<byte> value)
    {
        _out.WriteTag(field, WireFormat.WireType.LengthDelimited);
        _out.WriteBytes(ByteString.CopyFrom(value));
        return this;
    }

    /// <summary>A 32-bit float field.</summary>
    public ProtoWriter Float(int field, float value)
    {
        _out.WriteTag(field, WireFormat.WireType.Fixed32);
        _out.WriteFloat(value);
        return this;
    }

    /// <summary>An embedded message field.</summary>
    public ProtoWriter Message(int field, ProtoWriter message)
    {
        ArgumentNullException.ThrowIfNull(message);
        return Bytes(field, message.ToArray());
    }

    /// <summary>The encoded message.</summary>
    public byte[] ToArray()
    {
        _out.Flush();
        return _buffer.ToArray();
    }
}
