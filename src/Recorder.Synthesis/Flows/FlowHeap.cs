namespace Recorder.Synthesis.Flows;

/// <summary>
/// A binary min-heap of flow indexes ordered by the time of each flow's next packet, ties broken
/// by flow index, so the merge of all flows is one well-defined, non-decreasing sequence.
/// </summary>
internal sealed class FlowHeap
{
    private readonly Flow[] _flows;
    private readonly int[] _heap;

    public FlowHeap(Flow[] flows)
    {
        _flows = flows;
        _heap = new int[flows.Length];
        for (var i = 0; i < flows.Length; i++)
        {
            if (flows[i].Count > 0)
            {
                _heap[Count++] = i;
            }
        }

        for (var i = (Count / 2) - 1; i >= 0; i--)
        {
            SiftDown(i);
        }
    }

    public int Count { get; private set; }

    /// <summary>The flow whose next packet is earliest.</summary>
    public int Top => _heap[0];

    /// <summary>Restores the order after the top flow's time moved later.</summary>
    public void TopChanged() => SiftDown(0);

    /// <summary>Removes the top flow (it has no packets left).</summary>
    public void RemoveTop()
    {
        _heap[0] = _heap[--Count];
        if (Count > 0)
        {
            SiftDown(0);
        }
    }

    private void SiftDown(int i)
    {
        var item = _heap[i];
        while (true)
        {
            var child = (2 * i) + 1;
            if (child >= Count)
            {
                break;
            }

            if (child + 1 < Count && Before(_heap[child + 1], _heap[child]))
            {
                child++;
            }

            if (!Before(_heap[child], item))
            {
                break;
            }

            _heap[i] = _heap[child];
            i = child;
        }

        _heap[i] = item;
    }

    private bool Before(int a, int b)
    {
        var ta = _flows[a].Next;
        var tb = _flows[b].Next;
        return ta < tb || (ta == tb && a < b);
    }
}
