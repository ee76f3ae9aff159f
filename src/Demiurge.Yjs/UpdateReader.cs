namespace Demiurge.Yjs;

/// <summary>
/// Reads a v1 update one struct at a time, then its delete set. Every struct is checked as it is read,
/// content included; a struct's offsets refer to the span the reader was given.
/// </summary>
internal ref struct UpdateReader
{
    private Lib0Reader _reader;
    private ulong _groupsLeft;
    private ulong _structsLeft;
    private ulong _client;
    private ulong _clock;

    public UpdateReader(ReadOnlySpan<byte> update)
    {
        _reader = new Lib0Reader(update);
        _groupsLeft = _reader.ReadVarUint();
    }

    /// <summary>Reads the next struct; false once every struct has been read.</summary>
    public bool TryRead(out YBlock block)
    {
        while (_structsLeft == 0)
        {
            if (_groupsLeft == 0)
            {
                block = default;
                return false;
            }
            _groupsLeft--;
            _structsLeft = _reader.ReadVarUint();
            _client = _reader.ReadVarUint();
            _clock = _reader.ReadVarUint();
        }
        _structsLeft--;
        block = ReadStruct();
        _clock += block.Length;
        if (_clock > Lib0Reader.MaxSafeInteger)
        {
            throw new YjsFormatException("A client's clock exceeds 53 bits.");
        }
        return true;
    }

    /// <summary>Reads the delete set that follows the structs; call it after <see cref="TryRead"/> returned false.</summary>
    public DeleteSet ReadDeleteSet()
    {
        while (TryRead(out _))
        {
            // Structs left unread are skipped, and still checked.
        }
        return DeleteSet.Read(ref _reader);
    }

    private YBlock ReadStruct()
    {
        var info = _reader.ReadUint8();
        if (info == YContentRef.Skip)
        {
            return YBlock.Filler(YBlockKind.Skip, _client, _clock, _reader.ReadVarUint());
        }
        var contentRef = (byte)(info & YContentRef.ContentMask);
        if (contentRef == YContentRef.GC)
        {
            return YBlock.Filler(YBlockKind.GC, _client, _clock, _reader.ReadVarUint());
        }
        var block = YBlock.Filler(YBlockKind.Item, _client, _clock, 0);
        block.ContentRef = contentRef;
        if ((info & YContentRef.BitOrigin) != 0)
        {
            block.Origin = ReadId();
        }
        if ((info & YContentRef.BitRightOrigin) != 0)
        {
            block.RightOrigin = ReadId();
        }
        if ((info & (YContentRef.BitOrigin | YContentRef.BitRightOrigin)) == 0)
        {
            // Without origins the parent is written: a root type's key (1) or the id of the item holding it.
            if (_reader.ReadVarUint() == 1)
            {
                block.Parent = YParentKind.Key;
                (block.ParentKeyStart, block.ParentKeyLength) = ReadStringRange();
            }
            else
            {
                block.Parent = YParentKind.Id;
                block.ParentId = ReadId();
            }
            if ((info & YContentRef.BitParentSub) != 0)
            {
                (block.ParentSubStart, block.ParentSubLength) = ReadStringRange();
            }
        }
        block.ContentStart = _reader.Position;
        block.Length = YContent.Read(ref _reader, contentRef);
        block.ContentLength = _reader.Position - block.ContentStart;
        return block;
    }

    private YId ReadId() => new(_reader.ReadVarUint(), _reader.ReadVarUint());

    private (int Start, int Length) ReadStringRange()
    {
        var bytes = _reader.ReadVarStringUtf8();
        return (_reader.Position - bytes.Length, bytes.Length);
    }
}
