(** * Differentiating a family of iterated-integral distributions

    Part I of the unbiasedness proof (Unbiased.v), for any family
    [P : pdist A] of StochasticPre.v, not only the graphs':
    [pval_derive]: under [smooth] (densities positive and differentiable
    in [t], final values differentiable), [gintegrable] and [dominated],
    [d/dt pval F P t = est P t], where [est] differentiates under each
    integral (the Leibniz rule, through [leibniz_Lint]) and writes the
    density's derivative as the density times the score [d/dt ln dens];
    and [uest P t s = est P t + s * pval F P t], where [uest] is the
    expectation of the unrolled estimator "pathwise derivative + cost
    times the sum of the scores of the draws". *)

From Coquelicot Require Import Coquelicot.
From Coq Require Import Reals List.
From Certigrad Require Import OpsJvp Stochastic StochasticPre.
Import ListNotations.
Local Open Scope R_scope.

Section Family.
Context {A : Type} (F : A -> R) (a b : R).

(** Densities positive and differentiable in [t], final values
    differentiable in [t], on the interval. *)
Fixpoint smooth (P : pdist A) : Prop :=
  match P with
  | PRet h => forall t, a < t < b -> ex_derive (fun s => F (h s)) t
  | PDraw dens k =>
      (forall x t, a < t < b -> 0 < dens t x /\ ex_derive (fun s => dens s x) t) /\
      forall x, smooth (k x)
  end.

(** The derivative, one integral at a time. *)
Fixpoint est (P : pdist A) (t : R) : R :=
  match P with
  | PRet h => Derive (fun s => F (h s)) t
  | PDraw dens k =>
      Lint (fun x => dens t x *
        (est (k x) t + Derive (fun s => ln (dens s x)) t * pval F (k x) t))
  end.

(** The expectation of the unrolled estimator: at a final point, the
    pathwise derivative plus the final value times [s], the sum of the
    scores [d/dt ln dens] of the draws on the way. *)
Fixpoint uest (P : pdist A) (t s : R) : R :=
  match P with
  | PRet h => Derive (fun u => F (h u)) t + s * F (h t)
  | PDraw dens k =>
      Lint (fun x => dens t x * uest (k x) t (s + Derive (fun u => ln (dens u x)) t))
  end.

Lemma Derive_ln_pos (f : R -> R) t :
  0 < f t -> ex_derive f t -> Derive (fun s => ln (f s)) t = Derive f t / f t.
Proof.
  intros Hp Hd. apply is_derive_unique.
  replace (Derive f t / f t) with (/ f t * Derive f t) by (unfold Rdiv; ring).
  apply (D_comp ln (/ f t) f (Derive f t) t); [|now apply Derive_correct].
  apply D_ln, Hp.
Qed.

Lemma draw_derive (dens : R -> R -> R) (V : R -> R) (dV : R) x t :
  0 < dens t x -> ex_derive (fun s => dens s x) t -> is_derive V t dV ->
  is_derive (fun s => dens s x * V s) t
    (dens t x * (dV + Derive (fun s => ln (dens s x)) t * V t)).
Proof.
  intros Hp Hd HV. rewrite Derive_ln_pos by assumption.
  eapply is_derive_eq.
  - apply (D_mult (fun s => dens s x) V _ _ t (Derive_correct _ _ Hd) HV).
  - change (V t * Derive (fun s => dens s x) t + dens t x * dV =
            dens t x * (dV + Derive (fun s => dens s x) t / dens t x * V t)).
    field. apply Rgt_not_eq, Hp.
Qed.

Theorem pval_derive (P : pdist A) :
  smooth P -> gintegrable F a b P -> dominated F a b P ->
  forall t, a < t < b ->
  is_derive (pval F P) t (est P t) /\ (forall s, uest P t s = est P t + s * pval F P t).
Proof.
  induction P as [h|dens k IH]; simpl; intros Hs Hi Hd t Ht.
  - split; [|intros; reflexivity]. apply Derive_correct. now apply Hs.
  - destruct Hs as [Hdens Hs], Hi as [Hint Hi], Hd as [[G [HG HGb]] Hd].
    set (f := fun s x => dens s x * pval F (k x) s).
    set (df := fun s x => dens s x *
                 (est (k x) s + Derive (fun u => ln (dens u x)) s * pval F (k x) s)).
    assert (Hder : forall x s, a < s < b -> is_derive (fun u => f u x) s (df s x)).
    { intros x s Hst. destruct (Hdens x s Hst) as [Hpos Hex].
      apply draw_derive; [exact Hpos|exact Hex|]. apply IH; auto. }
    destruct (leibniz_Lint f df G a b Hint Hder HG) with (t := t) as [HD HI]; [|exact Ht|].
    { intros x s Hst. rewrite <- (is_derive_unique _ _ _ (Hder x s Hst)). apply HGb, Hst. }
    split; [exact HD|]. intros s.
    transitivity (Lint (fun x => df t x + s * f t x)).
    { apply Lint_ext. intros x. unfold df, f.
      destruct (IH x (Hs x) (Hi x) (Hd x) t Ht) as [_ ->]. ring. }
    apply Lint_plus_scal; [exact HI|apply Hint, Ht].
Qed.

Corollary pval_derive_uest (P : pdist A) t :
  smooth P -> gintegrable F a b P -> dominated F a b P -> a < t < b ->
  is_derive (pval F P) t (uest P t 0).
Proof.
  intros Hs Hi Hd Ht. destruct (pval_derive P Hs Hi Hd t Ht) as [HD Hu].
  rewrite Hu. replace (est P t + 0 * pval F P t) with (est P t) by ring. exact HD.
Qed.

End Family.

