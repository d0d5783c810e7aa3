(** * Bridge between mathcomp-analysis and Coquelicot derivatives

    [is_derive_Coquelicot] : Coquelicot's [Derive.is_derive f x l] on Stdlib
    [R] is equivalent to mathcomp-analysis's [is_derive x 1 f l] on the same
    type ([real_realType]).  [leibniz_Coquelicot] restates the Leibniz rule of
    Leibniz.v with the Coquelicot notion. *)
From Coq Require Import Reals.
From Coquelicot Require Import Coquelicot.
From Certigrad Require Import Preamble.
From Certigrad Require Import Leibniz.
Local Open Scope classical_set_scope.
Local Open Scope ring_scope.


Lemma is_derive_Coquelicot (f : R -> R) (x l : R) :
  Derive.is_derive f x l <->
  is_derive (x : real_realType) 1 (f : real_realType -> real_realType) l.
Proof.
rewrite is_derive_Reals is_derive1P; split.
  move=> H; apply/cvgrPdist_lt => e e0; apply/near_dnbhs0P.
  have [d Hd] := H e (RltP _ _ e0).
  exists (pos d); first by apply/RltP; exact: cond_pos.
  move=> h hd h0; rewrite distrC.
  have := Hd h (elimN eqP h0) (RltP _ _ hd); move/RltP.
  by rewrite /Rdiv (RinvE h0) !(RmultE, RminusE, RplusE) mulrC (addrC x h).
move=> /cvgrPdist_lt H e /RltP e0.
have /near_dnbhs0P[d d0 Hd] := H e e0.
exists (mkposreal d (RltP _ _ d0)) => h h0 hd /=.
apply/RltP; rewrite /Rdiv (RinvE (introN eqP h0)) !(RmultE, RminusE, RplusE).
rewrite mulrC (addrC x h).
have := Hd h (introT (RltP _ _) hd) (introN eqP h0); rewrite distrC; apply.
Qed.

Section leibniz_coquelicot.
Context d (T : measurableType d).
Variables (mu : {measure set T -> \bar real_realType}) (D : set T).
Hypothesis mD : measurable D.
Variables (f df : R -> T -> R) (g : T -> R) (a b : R).
Hypothesis intf : forall t, t \in `]a, b[ -> mu.-integrable D (EFin \o f t).
Hypothesis derf : forall x, D x -> forall t, t \in `]a, b[ ->
  Derive.is_derive (f ^~ x) t (df t x).
Hypothesis ig : mu.-integrable D (EFin \o g).
Hypothesis dfg : forall x, D x -> forall t, t \in `]a, b[ -> `|df t x| <= g x.

(** The Leibniz rule with Coquelicot's derivative on Stdlib [R]. *)
Theorem leibniz_Coquelicot t : t \in `]a, b[ ->
  Derive.is_derive (fun s => fine (\int[mu]_(x in D) (f s x)%:E)%E) t
    (fine (\int[mu]_(x in D) (df t x)%:E)%E).
Proof.
move=> tab; apply/is_derive_Coquelicot.
apply: (@leibniz_is_derive _ _ _ mu D mD f df g a b) => //.
by move=> x Dx s sab; apply/is_derive_Coquelicot; exact: derf.
Qed.

End leibniz_coquelicot.
