namespace Demiurge.Yjs;

/// <summary>
/// Writes structs in the order given, grouping consecutive structs of one client, as Yjs's lazy struct
/// writer does. The group count comes first in the output, so groups are buffered until <see cref="Finish"/>.
/// </summary>
internal sealed class StructWriter
{
    private readonly Lib0Writer _body = new(1024);
    private readonly List<StructGroup> _groups = [];

    public void Write(in YBlock block, ReadOnlySpan<byte> source, ulong offset)
    {
        if (_groups.Count == 0 || _groups[^1].Client != block.Client)
        {
            _groups.Add(new StructGroup(block.Client, block.Clock + offset, _body.Length));
        }
        _groups[^1].Count++;
        switch (block.Kind)
        {
            case YBlockKind.Skip:
                _body.WriteUint8(YContentRef.Skip);
                _body.WriteVarUint(block.Length - offset);
                break;
            case YBlockKind.GC:
                _body.WriteUint8(YContentRef.GC);
                _body.WriteVarUint(block.Length - offset);
                break;
            default:
                WriteItem(block, source, offset);
                break;
        }
    }

    /// <summary>Writes the group count and the groups into <paramref name="output"/>.</summary>
    public void Finish(Lib0Writer output)
    {
        output.WriteVarUint((ulong)_groups.Count);
        var body = _body.WrittenSpan;
        for (var i = 0; i < _groups.Count; i++)
        {
            var group = _groups[i];
            var end = i + 1 < _groups.Count ? _groups[i + 1].Start : body.Length;
            output.WriteVarUint((ulong)group.Count);
            output.WriteVarUint(group.Client);
            output.WriteVarUint(group.Clock);
            output.WriteBytes(body[group.Start..end]);
        }
    }

    private void WriteItem(in YBlock block, ReadOnlySpan<byte> source, ulong offset)
    {
        var origin = offset > 0 ? new YId(block.Client, block.Clock + offset - 1) : block.Origin;
        var rightOrigin = block.RightOrigin;
        // Yjs sets the parent-sub bit whenever the item has a key, even when origins make it unwritten.
        var info = (byte)(block.ContentRef
            | (origin is null ? 0 : YContentRef.BitOrigin)
            | (rightOrigin is null ? 0 : YContentRef.BitRightOrigin)
            | (block.ParentSubStart < 0 ? 0 : YContentRef.BitParentSub));
        _body.WriteUint8(info);
        if (origin is { } left)
        {
            WriteId(left);
        }
        if (rightOrigin is { } right)
        {
            WriteId(right);
        }
        if (origin is null && rightOrigin is null)
        {
            if (block.Parent == YParentKind.Key)
            {
                _body.WriteVarUint(1);
                _body.WriteVarStringUtf8(source.Slice(block.ParentKeyStart, block.ParentKeyLength));
            }
            else
            {
                _body.WriteVarUint(0);
                WriteId(block.ParentId);
            }
            if (block.ParentSubStart >= 0)
            {
                _body.WriteVarStringUtf8(source.Slice(block.ParentSubStart, block.ParentSubLength));
            }
        }
        YContent.Write(_body, block.ContentRef, source.Slice(block.ContentStart, block.ContentLength), block.ContentOffset + offset);
    }

    private void WriteId(YId id)
    {
        _body.WriteVarUint(id.Client);
        _body.WriteVarUint(id.Clock);
    }
}
