(** * Smooth functions of a parameter and of the draws, with exponential growth

    The unbiasedness preconditions of a graph whose noise is standard
    Gaussian (Unbiased.v, StochasticPre.v) follow from one analytic fact
    about its total cost as a function [u t xs] of the moving parameter
    entry [t] and of all the draws [xs]: on the interval [a < t < b], [u]
    is differentiable in [t], [u t] and its [t]-derivative are continuous
    in each draw separately, and both are bounded by [C exp (c |xs|_1)]
    ([sg_with a b c u du]).  StdNormalPre.v proves the preconditions from
    it; GrowthOps.v proves it operator by operator, on abstract tags of
    tensor-valued functions; GrowthCheck.v walks a graph with the tags.

    Everything here is in Stdlib/Coquelicot terms (Rabs, exp,
    continuity_pt, Coquelicot's is_derive). *)

From Coq Require Import Reals List.
From Coquelicot Require Import Coquelicot.
Import ListNotations.
Local Open Scope R_scope.

(** [|xs|_1]. *)
Definition norm1 (xs : list R) : R := fold_right (fun x acc => Rabs x + acc) 0 xs.

(** Continuity in each draw separately, the other draws being fixed. *)
Definition sep_cont (h : list R -> R) : Prop :=
  forall xs ys y, continuity_pt (fun y' => h (xs ++ y' :: ys)) y.

Section Growth.
Variables a b : R.

(** [u] is differentiable in [t] with derivative [du]; [u t] and [du t]
    are separately continuous in the draws; both are bounded by
    [C exp (c |xs|_1)]; all for [a < t < b]. *)
Definition sg_with (c : R) (u du : R -> list R -> R) : Prop :=
  (forall t xs, a < t < b -> is_derive (fun s => u s xs) t (du t xs)) /\
  (forall t, a < t < b -> sep_cont (u t) /\ sep_cont (du t)) /\
  exists C, forall t xs, a < t < b ->
    Rabs (u t xs) <= C * exp (c * norm1 xs) /\ Rabs (du t xs) <= C * exp (c * norm1 xs).

Definition sg (c : R) (u : R -> list R -> R) : Prop := exists du, sg_with c u du.

(** * Tensor-valued functions and their tags *)

(** A tensor that depends on [t] and on the draws. *)
Definition tfun := R -> list R -> list R.

(** Every entry (entries past the length read as [0]) satisfies [sg c]. *)
Definition tsg (c : R) (V : tfun) : Prop := forall i, sg c (fun t xs => nth i (V t xs) 0).

(** What the analysis knows of a value:
    - [GGood]: exponential growth in the draws ([tsg c] for some [c >= 0]);
    - [GBnd]: bounded, with bounded derivative ([tsg 0]);
    - [GPos]: bounded and bounded below by a positive constant;
    - [GUnit]: good, in (0, 1), and [ln v], [ln (1 - v)] good (a sigmoid of
      a good value). *)
Inductive gtag : Type := GGood | GBnd | GPos | GUnit.

(** The tag [g] holds of [V], a tensor of [n] entries. *)
Definition tag_holds (g : gtag) (n : nat) (V : tfun) : Prop :=
  (forall t xs, length (V t xs) = n) /\
  match g with
  | GGood => exists c, 0 <= c /\ tsg c V
  | GBnd => tsg 0 V
  | GPos => tsg 0 V /\ exists L, 0 < L /\
              forall t xs i, a < t < b -> (i < n)%nat -> L <= nth i (V t xs) 0
  | GUnit => (exists c, 0 <= c /\ tsg c V) /\
             (forall t xs i, a < t < b -> (i < n)%nat -> 0 < nth i (V t xs) 0 < 1) /\
             (exists c, 0 <= c /\ tsg c (fun t xs => map ln (V t xs))) /\
             (exists c, 0 <= c /\ tsg c (fun t xs => map (fun p => ln (1 - p)) (V t xs)))
  end.

End Growth.
