using Vanus.Cluster.Replication;

namespace Vanus.Cluster.Tests.Replication;

/// <summary>A leader's view of one follower: probing until the logs match, then streaming within the in-flight bound.</summary>
public class FollowerProgressTests
{
    private const int MiB = 1 << 20;
    private static readonly ReplicationLimits Limits = new();

    [Fact]
    public void A_new_follower_is_probed_at_the_leaders_end_then_from_where_the_logs_agree_one_batch_at_a_time()
    {
        var follower = new FollowerProgress(leaderEnd: 100, Limits);
        Assert.Equal((100L, MiB), follower.NextBatch(100));
        follower.Sent(100, 100, 0);
        Assert.Null(follower.NextBatch(100));

        follower.Refused(100, agreeUpTo: 60);
        Assert.True(follower.Probing);
        Assert.Equal((60L, MiB), follower.NextBatch(100));
        follower.Sent(60, 80, MiB);
        Assert.Null(follower.NextBatch(100));

        follower.Acknowledged(60, durableEnd: 80);
        Assert.False(follower.Probing);
        Assert.Equal(80, follower.Match);
        Assert.Equal((80L, MiB), follower.NextBatch(100));
    }

    [Fact]
    public void A_matching_follower_streams_batches_up_to_the_in_flight_bound()
    {
        var follower = Matched(leaderEnd: 0);
        for (var i = 0; i < 4; i++)
        {
            var (from, max) = follower.NextBatch(1000)!.Value;
            Assert.Equal(MiB, max);
            follower.Sent(from, from + 100, MiB);
        }

        Assert.Equal(4L * MiB, follower.InFlightBytes);
        Assert.Null(follower.NextBatch(1000));
        follower.Acknowledged(0, durableEnd: 100);
        Assert.Equal((400L, MiB), follower.NextBatch(1000));

        // Acknowledging a later batch settles the earlier ones too.
        follower.Acknowledged(300, durableEnd: 400);
        Assert.Equal(0, follower.InFlightBytes);
        Assert.Equal(400, follower.Match);
        Assert.Null(follower.NextBatch(400));
    }

    [Fact]
    public void Answers_to_batches_sent_before_a_refusal_are_stale()
    {
        var follower = Matched(leaderEnd: 0);
        follower.Sent(0, 10, 100);
        follower.Sent(10, 20, 100);
        follower.Refused(10, agreeUpTo: 5);
        Assert.Equal(5, follower.Next);

        // The answer to the first batch arrives late: it tells what is durable, but nothing is in flight to settle.
        follower.Acknowledged(0, durableEnd: 5);
        Assert.True(follower.Probing);
        Assert.Equal(5, follower.Match);
        follower.Refused(0, agreeUpTo: 0);
        Assert.Equal(5, follower.Next);
    }

    [Fact]
    public void A_lost_batch_is_sent_again_from_the_first_unanswered_offset()
    {
        var follower = Matched(leaderEnd: 0);
        follower.Sent(0, 10, 100);
        follower.Sent(10, 20, 100);
        follower.TimedOut();
        Assert.True(follower.Probing);
        Assert.Equal(0, follower.InFlightBytes);
        Assert.Equal((0L, MiB), follower.NextBatch(20));
        Assert.Throws<InvalidOperationException>(() => follower.Sent(10, 20, 100));
    }

    [Fact]
    public void A_refusal_that_agrees_at_or_past_its_own_batch_is_a_bug_not_a_retry()
    {
        var follower = Matched(leaderEnd: 0);
        follower.Sent(0, 10, 100);
        follower.Sent(10, 20, 100);
        Assert.Throws<ArgumentOutOfRangeException>(() => follower.Refused(10, agreeUpTo: 10));
    }

    private static FollowerProgress Matched(long leaderEnd)
    {
        var follower = new FollowerProgress(leaderEnd, Limits);
        follower.Sent(leaderEnd, leaderEnd, 0);
        follower.Acknowledged(leaderEnd, leaderEnd);
        Assert.False(follower.Probing);
        return follower;
    }
}
