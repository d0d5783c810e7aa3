(** * The AEVB graphs of Certigrad's case study

    [naive_aevb]: the variational autoencoder as Certigrad's paper writes
    it, for any sizes (pixels [n_in], hidden units [n_hid], latent units
    [n_lat], batch [bs]; no biases, one column per image):

      x      : input  n_in x bs
      h      = softplus (W_enc2 softplus (W_enc1 x))
      mu     = W_mu h ,  sigma = sqrt (exp (W_logsigma2 h))
      z      ~ mvn (mu, sigma)
      p      = sigmoid (W_p softplus (W_dec2 softplus (W_dec1 z)))
      costs  : mvn_empirical_kl (mu, sigma, z)  and  bernoulli_neglogpdf (p, x)

    [aevb_graph]: the graph [certigrad train-vae] trains (python/certigrad/
    vae.py builds it node for node; tests/test_aevb_link.py compares the
    two through the oracle's [--aevb]): the KL cost integrated in closed
    form and [z] reparameterized,

      kl = mvn_kl (mu, sigma) ,  eps ~ mvn_std ,  z = mul_add (sigma, eps, mu).

    [aevb_transform]: it is what the two certified transformations of
    Transform.v compute from [naive_aevb]. *)

From Coq Require Import List String.
From Certigrad Require Import Scalar Tensor Ops Graph Transform.
Import ListNotations.
Open Scope string_scope.

Section Aevb.
Context {T : Type}.
Variables n_in n_hid n_lat bs : nat.

Definition mat (name : string) (rows cols : nat) : reference := mk_ref name [rows; cols].
Definition scalar (name : string) : reference := mk_ref name [].

(** The input, then the weights in the order of the formulas. *)
Definition aevb_inputs : list reference :=
  [mat "x" n_in bs;
   mat "W_enc1" n_hid n_in; mat "W_enc2" n_hid n_hid;
   mat "W_mu" n_lat n_hid; mat "W_logsigma2" n_lat n_hid;
   mat "W_dec1" n_hid n_lat; mat "W_dec2" n_hid n_hid; mat "W_p" n_in n_hid].

Definition aevb_params : list string :=
  ["W_enc1"; "W_enc2"; "W_mu"; "W_logsigma2"; "W_dec1"; "W_dec2"; "W_p"].

Definition aevb_encoder : list (node T) :=
  [NDet (mat "enc1_pre" n_hid bs) Gemm ["W_enc1"; "x"];
   NDet (mat "enc1" n_hid bs) Softplus ["enc1_pre"];
   NDet (mat "enc2_pre" n_hid bs) Gemm ["W_enc2"; "enc1"];
   NDet (mat "h" n_hid bs) Softplus ["enc2_pre"];
   NDet (mat "mu" n_lat bs) Gemm ["W_mu"; "h"];
   NDet (mat "logsigma2" n_lat bs) Gemm ["W_logsigma2"; "h"];
   NDet (mat "sigma2" n_lat bs) Exp ["logsigma2"];
   NDet (mat "sigma" n_lat bs) Sqrt ["sigma2"]].

Definition aevb_decoder : list (node T) :=
  [NDet (mat "dec1_pre" n_hid bs) Gemm ["W_dec1"; "z"];
   NDet (mat "dec1" n_hid bs) Softplus ["dec1_pre"];
   NDet (mat "dec2_pre" n_hid bs) Gemm ["W_dec2"; "dec1"];
   NDet (mat "dec2" n_hid bs) Softplus ["dec2_pre"];
   NDet (mat "p_pre" n_in bs) Gemm ["W_p"; "dec2"];
   NDet (mat "p" n_in bs) Sigmoid ["p_pre"]].

Definition aevb_nll : node T := NDet (scalar "nll") BernoulliNeglogpdf ["p"; "x"].

Definition naive_aevb : graph T :=
  mk_graph aevb_inputs aevb_params
    (aevb_encoder ++ NRand (mat "z" n_lat bs) Mvn ["mu"; "sigma"] :: aevb_decoder ++
     [NDet (scalar "kl") MvnEmpiricalKl ["mu"; "sigma"; "z"]; aevb_nll])
    ["kl"; "nll"].

Definition aevb_graph : graph T :=
  mk_graph aevb_inputs aevb_params
    (aevb_encoder ++ NRand (mat "eps" n_lat bs) MvnStd [] ::
     NDet (mat "z" n_lat bs) MulAdd ["sigma"; "eps"; "mu"] :: aevb_decoder ++
     [NDet (scalar "kl") MvnKl ["mu"; "sigma"]; aevb_nll])
    ["kl"; "nll"].

(** The two transformations, in Certigrad's order. *)
Definition aevb_transforms (g : graph T) : res (graph T) :=
  match integrate_kl "kl" g with
  | Ok g1 => reparameterize "z" "eps" g1
  | Err m => Err m
  end.

Lemma aevb_transform : aevb_transforms naive_aevb = Ok aevb_graph.
Proof. reflexivity. Qed.

End Aevb.
