using System.Buffers.Binary;
using System.Text;

namespace TcpState.Tests.TestSupport;

/// <summary>
/// A minimal protocol-buffers wire-format reader: tags, varints, fixed 32/64-bit values and
/// length-delimited fields, enough to decode OTLP without a protobuf package.
/// </summary>
public ref struct ProtobufReader(ReadOnlySpan<byte> data)
{
    public const int Varint = 0;
    public const int Fixed64 = 1;
    public const int LengthDelimited = 2;
    public const int Fixed32 = 5;

    private ReadOnlySpan<byte> _rest = data;

    /// <summary>Reads the next field's number and wire type; false at the end of the data.</summary>
    public bool TryReadTag(out int field, out int wireType)
    {
        if (_rest.IsEmpty)
        {
            field = 0;
            wireType = 0;
            return false;
        }

        var tag = ReadVarint();
        field = (int)(tag >> 3);
        wireType = (int)(tag & 7);
        if (field == 0) throw new InvalidDataException("protobuf field number 0");
        return true;
    }

    public ulong ReadVarint()
    {
        ulong value = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            if (_rest.IsEmpty) throw new InvalidDataException("truncated protobuf varint");
            var b = _rest[0];
            _rest = _rest[1..];
            value |= (ulong)(b & 0x7f) << shift;
            if ((b & 0x80) == 0) return value;
        }

        throw new InvalidDataException("protobuf varint longer than 10 bytes");
    }

    public ulong ReadFixed64()
    {
        var value = BinaryPrimitives.ReadUInt64LittleEndian(Take(8));
        return value;
    }

    public uint ReadFixed32() => BinaryPrimitives.ReadUInt32LittleEndian(Take(4));

    public double ReadDouble() => BitConverter.UInt64BitsToDouble(ReadFixed64());

    public ReadOnlySpan<byte> ReadBytes()
    {
        var length = ReadVarint();
        if (length > (ulong)_rest.Length) throw new InvalidDataException($"protobuf field of {length} bytes, {_rest.Length} left");
        return Take((int)length);
    }

    public string ReadString() => Encoding.UTF8.GetString(ReadBytes());

    /// <summary>Skips a field the decoder does not need.</summary>
    public void Skip(int wireType)
    {
        switch (wireType)
        {
            case Varint: ReadVarint(); break;
            case Fixed64: Take(8); break;
            case LengthDelimited: ReadBytes(); break;
            case Fixed32: Take(4); break;
            default: throw new InvalidDataException($"unsupported protobuf wire type {wireType}");
        }
    }

    private ReadOnlySpan<byte> Take(int count)
    {
        if (count > _rest.Length) throw new InvalidDataException($"truncated protobuf: {count} bytes needed, {_rest.Length} left");
        var taken = _rest[..count];
        _rest = _rest[count..];
        return taken;
    }
}
