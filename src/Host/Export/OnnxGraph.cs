using System.Buffers.Binary;

namespace GpuEnet.Host.Export;

/// <summary>ONNX tensor element types used by the export (values of <c>TensorProto.DataType</c>).</summary>
internal enum OnnxType
{
    Float = 1,
    Int64 = 7,
    Bool = 9,
    Double = 11,
}

/// <summary>
/// A small ONNX graph builder writing <c>ModelProto</c> with the field numbers of onnx.proto (IR version 7, default
/// opset 13): nodes, initializers stored as little-endian <c>raw_data</c>, graph inputs and outputs with a symbolic
/// batch dimension, and metadata. Only what the export needs; every name is chosen by the caller and must be unique.
/// </summary>
internal sealed class OnnxGraph
{
    /// <summary>IR version 7 (ONNX 1.7) with opset 13: read by every ONNX Runtime since 1.6 and by the onnx checker since 1.8.</summary>
    public const long IrVersion = 7;

    /// <summary>The default-domain opset: IsNaN, Where, Gather, MatMul, Cast, Add, Concat, Shape, ConstantOfShape all exist at 13.</summary>
    public const long Opset = 13;

    private readonly ProtoWriter _graph = new();
    private int _nodes;

    public OnnxGraph(string name) => _graph.String(2, name);

    /// <summary>Adds a node <c>op(inputs) → outputs</c>, optionally with one integer attribute or one tensor attribute.</summary>
    public void Node(string op, string[] inputs, string[] outputs, (string Name, long Value)? intAttribute = null, (string Name, ProtoWriter Tensor)? tensorAttribute = null)
    {
        var node = new ProtoWriter();
        foreach (string input in inputs)
        {
            node.String(1, input);
        }

        foreach (string output in outputs)
        {
            node.String(2, output);
        }

        node.String(3, $"{op}_{_nodes++}").String(4, op);
        if (intAttribute is { } ia)
        {
            node.Message(5, new ProtoWriter().String(1, ia.Name).Int64(3, ia.Value).Int64(20, 2)); // AttributeType INT
        }

        if (tensorAttribute is { } ta)
        {
            node.Message(5, new ProtoWriter().String(1, ta.Name).Message(5, ta.Tensor).Int64(20, 4)); // AttributeType TENSOR
        }

        _graph.Message(1, node);
    }

    /// <summary>A constant tensor of float64 or float32 values (rounded to float32 for <see cref="OnnxType.Float"/>).</summary>
    public static ProtoWriter Tensor(string name, OnnxType type, long[] dims, ReadOnlySpan<double> values)
    {
        byte[] raw;
        if (type == OnnxType.Double)
        {
            raw = new byte[values.Length * 8];
            for (int i = 0; i < values.Length; i++)
            {
                BinaryPrimitives.WriteDoubleLittleEndian(raw.AsSpan(i * 8), values[i]);
            }
        }
        else if (type == OnnxType.Float)
        {
            raw = new byte[values.Length * 4];
            for (int i = 0; i < values.Length; i++)
            {
                BinaryPrimitives.WriteSingleLittleEndian(raw.AsSpan(i * 4), (float)values[i]);
            }
        }
        else
        {
            throw new ArgumentException("Only float and double value tensors are built from doubles.", nameof(type));
        }

        return TensorOf(name, type, dims, raw);
    }

    /// <summary>A constant int64 tensor.</summary>
    public static ProtoWriter Int64Tensor(string name, long[] dims, ReadOnlySpan<long> values)
    {
        var raw = new byte[values.Length * 8];
        for (int i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteInt64LittleEndian(raw.AsSpan(i * 8), values[i]);
        }

        return TensorOf(name, OnnxType.Int64, dims, raw);
    }

    /// <summary>Adds a constant tensor as an initializer.</summary>
    public void Initializer(ProtoWriter tensor) => _graph.Message(5, tensor);

    /// <summary>Declares a graph input; a dimension of null is the symbolic batch size <c>N</c>.</summary>
    public void Input(string name, OnnxType type, long?[] dims, string doc) => _graph.Message(11, ValueInfo(name, type, dims, doc));

    /// <summary>Declares a graph output; a dimension of null is the symbolic batch size <c>N</c>.</summary>
    public void Output(string name, OnnxType type, long?[] dims, string doc) => _graph.Message(12, ValueInfo(name, type, dims, doc));

    /// <summary>The serialised <c>ModelProto</c>.</summary>
    public byte[] ToModel(string producerVersion, string doc, IEnumerable<KeyValuePair<string, string>> metadata)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        var model = new ProtoWriter()
            .Int64(1, IrVersion)
            .String(2, "gpuenet")
            .String(3, producerVersion)
            .String(4, "org.gpuenet")
            .Int64(5, 1)
            .String(6, doc)
            .Message(7, _graph)
            .Message(8, new ProtoWriter().String(1, "").Int64(2, Opset));
        foreach (var (key, value) in metadata)
        {
            model.Message(14, new ProtoWriter().String(1, key).String(2, value));
        }

        return model.ToArray();
    }

    private static ProtoWriter TensorOf(string name, OnnxType type, long[] dims, byte[] raw)
    {
        var tensor = new ProtoWriter();
        foreach (long d in dims)
        {
            tensor.Int64(1, d);
        }

        return tensor.Int64(2, (long)type).String(8, name).Bytes(9, raw);
    }

    private static ProtoWriter ValueInfo(string name, OnnxType type, long?[] dims, string doc)
    {
        var shape = new ProtoWriter();
        foreach (long? d in dims)
        {
            shape.Message(1, d is { } v ? new ProtoWriter().Int64(1, v) : new ProtoWriter().String(2, "N"));
        }

        var tensorType = new ProtoWriter().Int64(1, (long)type).Message(2, shape);
        return new ProtoWriter().String(1, name).Message(2, new ProtoWriter().Message(1, tensorType)).String(3, doc);
    }
}
