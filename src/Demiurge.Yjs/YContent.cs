using System.Text;
using System.Text.Json;

namespace Demiurge.Yjs;

/// <summary>
/// Item content: checks it while reading, measures it in clock units, and writes it from a given unit on.
/// Content is kept as the bytes it was read from, so that writing it again gives the same bytes.
/// </summary>
internal static class YContent
{
    private static readonly JsonReaderOptions s_json = new() { MaxDepth = Lib0Reader.MaxAnyDepth };

    /// <summary>Reads and checks the content that <paramref name="contentRef"/> announces; returns its length in clock units.</summary>
    public static ulong Read(ref Lib0Reader reader, byte contentRef)
    {
        switch (contentRef)
        {
            case YContentRef.Deleted:
                return reader.ReadVarUint();
            case YContentRef.Json:
                {
                    var count = reader.ReadVarUint();
                    for (ulong i = 0; i < count; i++)
                    {
                        var json = reader.ReadVarStringUtf8();
                        // ContentJSON writes JavaScript's undefined as the bare word.
                        if (!json.SequenceEqual("undefined"u8))
                        {
                            CheckJson(json);
                        }
                    }
                    return count;
                }
            case YContentRef.Binary:
                reader.ReadVarUint8Array();
                return 1;
            case YContentRef.String:
                // Yjs measures text in UTF-16 code units, as JavaScript strings are.
                return (ulong)Encoding.UTF8.GetCharCount(reader.ReadVarStringUtf8());
            case YContentRef.Embed:
                CheckJson(reader.ReadVarStringUtf8());
                return 1;
            case YContentRef.Format:
                reader.ReadVarStringUtf8();
                CheckJson(reader.ReadVarStringUtf8());
                return 1;
            case YContentRef.Type:
                {
                    var typeRef = reader.ReadVarUint();
                    if (typeRef > YContentRef.MaxTypeRef)
                    {
                        throw new YjsFormatException($"Unknown type reference {typeRef}.");
                    }
                    if (typeRef is YContentRef.TypeRefXmlElement or YContentRef.TypeRefXmlHook)
                    {
                        reader.ReadVarStringUtf8();
                    }
                    return 1;
                }
            case YContentRef.Any:
                {
                    var count = reader.ReadVarUint();
                    for (ulong i = 0; i < count; i++)
                    {
                        reader.ReadAnyBytes();
                    }
                    return count;
                }
            case YContentRef.Doc:
                reader.ReadVarStringUtf8();
                reader.ReadAnyBytes();
                return 1;
            default:
                throw new YjsFormatException($"Unknown content reference {contentRef}.");
        }
    }

    /// <summary>Writes content read by <see cref="Read"/> (<paramref name="body"/>), leaving out its first <paramref name="offset"/> units.</summary>
    public static void Write(Lib0Writer writer, byte contentRef, ReadOnlySpan<byte> body, ulong offset)
    {
        if (offset == 0)
        {
            writer.WriteBytes(body);
            return;
        }
        var reader = new Lib0Reader(body);
        switch (contentRef)
        {
            case YContentRef.Deleted:
                writer.WriteVarUint(reader.ReadVarUint() - offset);
                return;
            case YContentRef.Json:
            case YContentRef.Any:
                {
                    var count = reader.ReadVarUint();
                    writer.WriteVarUint(count - offset);
                    for (ulong i = 0; i < offset; i++)
                    {
                        if (contentRef == YContentRef.Json)
                        {
                            reader.ReadVarUint8Array();
                        }
                        else
                        {
                            reader.ReadAnyBytes();
                        }
                    }
                    writer.WriteBytes(body[reader.Position..]);
                    return;
                }
            case YContentRef.String:
                WriteStringFrom(writer, reader.ReadVarUint8Array(), offset);
                return;
            default:
                // Binary, embed, format, type and doc content are one unit long and never sliced.
                writer.WriteBytes(body);
                return;
        }
    }

    /// <summary>
    /// Writes the UTF-8 string from UTF-16 unit <paramref name="offset"/> on. An offset inside a surrogate pair
    /// leaves a lone low surrogate, which JavaScript encodes as U+FFFD; so does this.
    /// </summary>
    private static void WriteStringFrom(Lib0Writer writer, ReadOnlySpan<byte> utf8, ulong offset)
    {
        ulong units = 0;
        var i = 0;
        var splitPair = false;
        while (units < offset)
        {
            var lead = utf8[i];
            if (lead >= 0xF0)
            {
                // Four bytes: one supplementary character, two UTF-16 units.
                splitPair = units + 1 == offset;
                units += 2;
                i += 4;
            }
            else
            {
                units++;
                i += lead < 0x80 ? 1 : lead < 0xE0 ? 2 : 3;
            }
        }
        var rest = utf8[i..];
        if (splitPair)
        {
            ReadOnlySpan<byte> replacement = [0xEF, 0xBF, 0xBD];
            writer.WriteVarUint((ulong)(rest.Length + replacement.Length));
            writer.WriteBytes(replacement);
            writer.WriteBytes(rest);
        }
        else
        {
            writer.WriteVarUint8Array(rest);
        }
    }

    private static void CheckJson(ReadOnlySpan<byte> json)
    {
        try
        {
            var reader = new Utf8JsonReader(json, s_json);
            while (reader.Read())
            {
                reader.Skip();
            }
        }
        catch (JsonException error)
        {
            throw new YjsFormatException("Content holds invalid JSON.", error);
        }
    }
}
