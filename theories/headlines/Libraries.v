(** * The libraries whose theorems theories/headlines/ restates, loaded once
    (each headline file requires this one, then imports what a section needs). *)

From Coq Require Reals String List.
From Coquelicot Require Coquelicot.
From mathcomp Require matrix.
From Certigrad Require analysis.Preamble.
From Certigrad Require core.Scalar core.Tensor core.Ops core.Graph core.WellFormed core.Backprop.
From Certigrad Require core.OpsSpec core.ListSums core.BackpropNaive core.WellFormedSound.
From Certigrad Require core.BackpropCorrect core.AxiomFacts core.OpsCorrect.
From Certigrad Require core.ForwardOnce core.GemmLoops stochastic.GradIntegrable.
From Certigrad Require analysis.Leibniz analysis.DeriveBridge analysis.Gaussian.
From Certigrad Require analysis.ExpectationSwap analysis.GaussianValue analysis.GaussianIntegral.
From Certigrad Require analysis.SwapCorollaries analysis.GaussianND analysis.GaussianNDScore.
From Certigrad Require stochastic.Stochastic stochastic.StochasticPre stochastic.FamilyDerive.
From Certigrad Require stochastic.Unbiased stochastic.UnbiasedExamples stochastic.GaussianBridge.
From Certigrad Require stochastic.AffineChange stochastic.StdFlatten stochastic.StdNormalPre.
From Certigrad Require stochastic.Intervals stochastic.GrowthBoxes stochastic.Certify.
From Certigrad Require stochastic.GrowthDefs stochastic.GrowthOps stochastic.GrowthCheck.
From Certigrad Require stochastic.RunFacts aevb.Transform aevb.AevbGraph.
From Certigrad Require stochastic.ShardMean.
From Certigrad Require aevb.IntegrateKl aevb.Reparameterize aevb.AevbUnbiased.
From Certigrad Require core.BackpropEst stochastic.UnbiasedEst stochastic.UnbiasedDownstream aevb.AevbDownstream.
